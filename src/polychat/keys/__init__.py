"""Provider access: where each user's provider keys and settings come from, kept in memory.

`access.ProviderAccess` is the one entry point the rest of the app uses (chat, API); it is
created once per app lifespan and stored on `app.state.provider_access`.
"""
