"""The network's service centres (public)."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.catalog.schemas import CentreOut, CentreQuery
from services.catalog.services import centres
from shared.auth import public

blp = Blueprint("centres", __name__, url_prefix="/api/v1/centres",
                description="MVS service centres and their shelves")


@blp.route("")
class Centres(MethodView):
    @public
    @blp.arguments(CentreQuery, location="query")
    @blp.response(200, CentreOut(many=True))
    def get(self, query):
        """Every centre, with what we know (and do not know) of its shelf and visitors."""
        return centres.list_centres(with_shelf=query["with_shelf"], oblast=query["oblast"])
