"""The benchmark's baseline: the cheapest page Django can serve through the whole stack.

``make bench`` divides every page's throughput by this view's, measured by the same server in
the same run, so its figures hold on a noisy or slower machine. Mounted at ``/bench/baseline/``
only when ``BENCH_BASELINE=1`` is set (see revision_portal/urls.py); production never serves it.
"""

from django.shortcuts import render


def baseline(request):
    """A short template, no database query (anonymous requests carry no session)."""
    return render(request, "bench/baseline.html", {"title": "Baseline"})
