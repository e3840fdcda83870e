"""Catalog's API schemas."""
from marshmallow import Schema, fields


class CentreOut(Schema):
    code = fields.String()
    name = fields.String()
    oblast = fields.String()
    settlement = fields.String()
    address = fields.String()
    notes = fields.String(allow_none=True)
    visitors_per_year = fields.Integer(allow_none=True)
    visitors_source = fields.String(metadata={"description": "unknown | demo | admin"})
    has_shelf = fields.Boolean()
    shelf_source = fields.String(metadata={"description": "unknown | demo | admin"})
    shelf_capacity = fields.Integer(allow_none=True)


class CentreQuery(Schema):
    with_shelf = fields.Boolean(load_default=None)
    oblast = fields.String(load_default=None)
