def test_pages_speak_chinese_even_to_an_english_browser_until_english_is_chosen(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/")["Content-Language"] == "en"


def test_api_errors_are_bilingual_whatever_the_language(client, db):
    response = client.post("/api/v1/organisations/", {"credit_code": "123"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    message = response.json()["credit_code"][0]
    assert "统一社会信用代码" in message and "unified social credit code" in message
