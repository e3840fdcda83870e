from services.catalog import assistant_models, report_models  # noqa: F401  (the reports tables, the assistant's)
from services.catalog.models import Base
from shared.migrate import run_env
from shared.models import BusBase
from shared.staff_identity import IdentityBase

run_env([Base.metadata, BusBase.metadata, IdentityBase.metadata])
