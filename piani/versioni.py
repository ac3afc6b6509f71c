"""What a frozen version holds: the whole plan as plain JSON (``istantanea``).

A version is read back (pages, diff, PDFs, accordo) only through this shape, never through
the live rows, which keep changing after the freeze.
"""

from django.db.models import Prefetch

from piani import budget
from piani.models import Azione, Indicatore, Obiettivo, VoceBudget


def istantanea(piano):
    """The plan as it is now: sections, objectives with actions and indicators, budget."""
    obiettivi = (
        piano.obiettivi.filter(rimosso_at__isnull=True)
        .select_related("area_policy")
        .prefetch_related(
            "aree_utenza",
            "leps",
            "enti",
            "tavoli",
            Prefetch(
                "azioni",
                queryset=Azione.objects.filter(rimosso_at__isnull=True).select_related("tavolo"),
            ),
            Prefetch("indicatori", queryset=Indicatore.objects.filter(rimosso_at__isnull=True)),
        )
    )
    voci = (
        VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True)
        .select_related("fonte", "obiettivo", "azione")
        .prefetch_related("obiettivo__aree_utenza")
    )
    return {
        "piano": {
            "titolo": piano.titolo,
            "ambito": piano.ambito.nome,
            "ambito_codice": piano.ambito.codice,
            "anno_inizio": piano.anno_inizio,
            "anno_fine": piano.anno_fine,
            "quota_pro_capite": piano.quota_pro_capite,
        },
        "sezioni": [
            {"lettera": s.lettera, "titolo": s.titolo, "testo": s.testo}
            for s in piano.sezioni.order_by("lettera")
        ],
        "obiettivi": [_obiettivo(o) for o in obiettivi],
        "budget": [budget.voce_dict(v) for v in voci],
        "allegati": [
            {"id": a.pk, "titolo": a.titolo} for a in piano.allegati.filter(rimosso_at__isnull=True)
        ],
    }


def _obiettivo(o: Obiettivo):
    return {
        "id": o.pk,
        "codice": o.codice,
        "titolo": o.titolo,
        "area_policy": o.area_policy.nome if o.area_policy else "",
        "aree_utenza": [a.nome for a in o.aree_utenza.all()],
        "bisogno": o.bisogno,
        "risultati_attesi": o.risultati_attesi,
        "leps": [x.nome for x in o.leps.all()],
        "responsabile": o.responsabile,
        "enti": [e.denominazione for e in o.enti.all()],
        "tavoli": [t.nome for t in o.tavoli.all()],
        "anno_da": o.anno_da,
        "anno_a": o.anno_a,
        "azioni": [
            {
                "id": a.pk,
                "anno": a.anno,
                "titolo": a.titolo,
                "descrizione": a.descrizione,
                "responsabile": a.responsabile,
                "tavolo": a.tavolo.nome if a.tavolo else "",
            }
            for a in o.azioni.all()
        ],
        "indicatori": [
            {
                "id": i.pk,
                "nome": i.nome,
                "tipo": i.tipo,
                "unita": i.unita,
                "baseline": i.baseline,
                "target": i.target,
            }
            for i in o.indicatori.all()
        ],
    }
