"""The HTTP service: `app.create_app` builds it from routers, one per area of the API."""
