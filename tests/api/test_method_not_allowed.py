"""405 answers say which methods the path takes."""


def test_405_lists_the_allowed_methods(client, account):
    r = client.patch("/api/keys", headers={"Authorization": f"Bearer {account.private_key}"})
    assert r.status_code == 405 and r.is_json
    assert set(r.headers["Allow"].split(", ")) >= {"GET", "POST"}
