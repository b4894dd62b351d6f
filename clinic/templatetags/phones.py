"""`{% load phones %}`: a patient's phone as a link to call and as text (`clinic.phones`)."""

from django import template

from clinic.phones import dial_href, phone_display, phone_href

register = template.Library()

register.filter("phone_display", phone_display)
register.filter("phone_href", phone_href)
register.filter("dial_href", dial_href)
