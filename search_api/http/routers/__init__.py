"""One router per area of the API; `search_api.http.app` includes them all."""
