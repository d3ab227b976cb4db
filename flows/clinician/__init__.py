"""The physical therapist's side of the conversation, and the patient's sharing screen.

`desk` declares each question a PT (or a patient managing their shares) is asked,
its buttons, and where each answer leads, in the form flows.states gives the
patient's conversation; `texts` holds their words. What needs the outside world
(storage, the coach, charts and files, the letters) is bot.sharing's.
"""
