"""Every Dash component id, in one place."""

CONTENT = "content"
WHO = "who"
LOGOUT = "logout"

HOME_PROVIDERS = "home-providers"
