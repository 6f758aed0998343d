"""Write side: vendor programs, the partner x vendor relationship (request, invite, tier, end)
and each partner's per-vendor consent to show its business figures, audited and access-checked."""
