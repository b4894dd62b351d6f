"""`{% load phones %}`: a phone as a link to call (`phone_link`, or its parts) and as text (`clinic.phones`)."""

from django import template

from clinic.phones import dial_href, phone_display, phone_href, phone_link

register = template.Library()

register.filter("phone_display", phone_display)
register.filter("phone_href", phone_href)
register.filter("phone_link", phone_link)
register.filter("dial_href", dial_href)
