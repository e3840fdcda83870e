from shared.auth import Staff, issue_token, read_token


def test_token_round_trip():
    staff = Staff(7, "taras", "centre_staff", "1241")
    assert read_token(issue_token(staff)) == staff


def test_tampered_token_is_refused():
    token = issue_token(Staff(7, "taras", "centre_staff", "1241"))
    payload, _, signature = token.rpartition(".")
    forged = issue_token(Staff(7, "taras", "admin")).rpartition(".")[0] + "." + signature
    assert read_token(forged) is None
    assert read_token(token[:-2] + "xx") is None
    assert read_token("garbage") is None


def test_token_signed_with_another_key_is_refused(monkeypatch):
    token = issue_token(Staff(1, "a", "admin"))
    monkeypatch.setenv("BOOKCROSS_SECRET_KEY", "another-key")
    assert read_token(token) is None
