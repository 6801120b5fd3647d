"""Google Calendar as the business calendar, over its REST API with a service-account key."""
