"""Sharing with a physical therapist: links, the clinician's view, alerts, prescriptions.

Both sides are ordinary users of the bot. Every step that shows one person's
data to another goes through `clinic.Clinic`, which checks the live share
first; what it sends is a `letters.Letter` naming whose data it carries.
"""
