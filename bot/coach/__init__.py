"""The application service (the coach) both adapters share."""
