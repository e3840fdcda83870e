"""gunicorn entry point: gunicorn services.catalog.wsgi:app"""
from services.catalog.app import create_app

app = create_app()
