"""reminders"""
