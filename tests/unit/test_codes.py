import itertools

from shared import codes


def test_tracking_code_has_60_random_bits_and_a_check_character():
    code = codes.new_code(codes.TRACKING_RANDOM_CHARS)
    plain = codes.normalise(code)
    assert len(plain) == 13
    assert len(codes.ALPHABET) ** codes.TRACKING_RANDOM_CHARS >= 2 ** 60
    assert codes.is_valid(code, codes.TRACKING_RANDOM_CHARS)


def test_every_single_mistyped_character_is_caught():
    plain = codes.normalise(codes.new_code(12))
    for position, replacement in itertools.product(range(len(plain)), codes.ALPHABET):
        if plain[position] == replacement:
            continue
        typo = plain[:position] + replacement + plain[position + 1:]
        assert not codes.is_valid(typo, 12), typo


def test_reading_aloud_confusions_are_forgiven():
    plain = codes.normalise(codes.new_code(12))
    spoken = plain.lower().replace("0", "o").replace("1", "l")
    assert codes.normalise(spoken) == plain
    assert codes.is_valid("-".join([spoken[:4], spoken[4:8], spoken[8:]]), 12)


def test_codes_are_not_repeated():
    assert len({codes.new_code(12) for _ in range(2000)}) == 2000


def test_wrong_length_or_alphabet_is_invalid():
    assert not codes.is_valid("ABC", 12)
    assert not codes.is_valid("!" * 13, 12)
