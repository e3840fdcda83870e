from services.notifications import assistant_models  # noqa: F401  (the assistant's conversations, replies)
from services.notifications.models import Base
from shared.migrate import run_env
from shared.models import BusBase
from shared.staff_identity import IdentityBase

run_env([Base.metadata, BusBase.metadata, IdentityBase.metadata])
