from services.donations import impact_models  # noqa: F401  (feedback, readers' news)
from services.donations.assistant import models as assistant_models  # noqa: F401  (questions, needs)
from services.donations.models import Base
from shared.migrate import run_env
from shared.models import BusBase
from shared.staff_identity import IdentityBase

run_env([Base.metadata, BusBase.metadata, IdentityBase.metadata])
