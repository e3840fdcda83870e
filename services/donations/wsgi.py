"""gunicorn entry point: gunicorn services.donations.wsgi:app"""
from services.donations.app import create_app

app = create_app()
