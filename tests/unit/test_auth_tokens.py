from shared import donor_links
from shared.auth import issue_token, read_token


def test_token_round_trip():
    claims = read_token(issue_token(7, 3, days=2))
    assert (claims.staff_id, claims.version) == (7, 3)


def test_tampered_token_is_refused():
    token = issue_token(7, 1, days=1)
    payload, _, signature = token.rpartition(".")
    forged = issue_token(1, 1, days=1).rpartition(".")[0] + "." + signature
    assert read_token(forged) is None
    assert read_token(token[:-2] + "xx") is None
    assert read_token("garbage") is None


def test_token_signed_with_another_key_is_refused(monkeypatch):
    token = issue_token(1, 1, days=1)
    monkeypatch.setenv("BOOKCROSS_SECRET_KEY", "another-key")
    assert read_token(token) is None


def test_staff_and_donor_link_keys_rotate_apart(monkeypatch):
    """Rotating the staff key signs staff out and leaves donors' links working, and back."""
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "staff-one")
    monkeypatch.setenv("BOOKCROSS_DONOR_LINK_KEY", "links-one")
    token, link = issue_token(1, 1, days=1), donor_links.preferences_token("d-1")
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "staff-two")
    assert read_token(token) is None and donor_links.read_preferences_token(link) == "d-1"
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "staff-one")
    monkeypatch.setenv("BOOKCROSS_DONOR_LINK_KEY", "links-two")
    assert read_token(token) is not None and donor_links.read_preferences_token(link) is None


def test_a_rotation_accepts_the_old_key_while_signing_with_the_new(monkeypatch):
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "old")
    token = issue_token(1, 1, days=1)
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "new,old")
    assert read_token(token) is not None
    fresh = issue_token(1, 1, days=1)
    monkeypatch.setenv("BOOKCROSS_STAFF_KEY", "new")
    assert read_token(fresh) is not None and read_token(token) is None
