from services.catalog.models import Base
from shared.migrate import run_env
from shared.models import BusBase

run_env([Base.metadata, BusBase.metadata])
