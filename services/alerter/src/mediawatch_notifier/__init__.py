"""The notifier: reads the alerts topic, groups alerts per route and delivers chat and webhook
messages, committing an alert only once every sink has it."""
