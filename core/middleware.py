"""Request and response handling every page gets, beyond Django's own middleware."""

import ipaddress

from django.conf import settings


class ClientAddressMiddleware:
    """Behind load balancers or proxies, the client's address, not the last proxy's.

    The per-address rate limits, the sign-in lock-out and the audit log read REMOTE_ADDR.
    Behind a load balancer that is the balancer's own address, the same for everyone: one
    person's failures would lock everybody's account. With TRUSTED_PROXY_COUNT = N proxies
    in front (each appends the address it was reached from to X-Forwarded-For), the client is
    the Nth address from the right; the ones left of it are whatever the client sent, and not
    to be believed. 0 (the default) trusts no header: the server is reached directly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
        if count > 0:
            hops = [
                hop.strip()
                for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if hop.strip()
            ]
            if len(hops) >= count:
                try:
                    client = str(ipaddress.ip_address(hops[-count]))
                except ValueError:
                    client = None
                if client:
                    request.META["REMOTE_ADDR"] = client
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Permissions-Policy: the site never uses the camera, the microphone or the location, so
    no page (nor anything injected into one) may ask for them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
