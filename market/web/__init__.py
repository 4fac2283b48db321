"""The web layer the API and the pages share: client address, throttles, JSON parsing, the OpenAPI schema's
error answers, the sign-in lockout page and password messages."""
