"""gunicorn entry point: gunicorn services.notifications.wsgi:app"""
from services.notifications.app import create_app
from shared.outbox.relay import relay_in_workers

relay_in_workers()  # the web answers people; its events are relayed by the workers

app = create_app()
