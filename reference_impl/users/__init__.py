"""users: accounts, authentication (passwords, access and refresh tokens) and login throttling."""
