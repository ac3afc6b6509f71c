"""The answer to a convocation (RSVP) from the personal link in the e-mail: no sign-in
needed, the signed token is the key."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from pdz.exceptions import OperazioneNonValida
from tavoli import services
from tavoli.forms.rsvp import RispostaForm
from tavoli.models import Convocazione, Incontro


def _aperto(incontro):
    return incontro.stato == Incontro.Stato.CONVOCATO and incontro.inizio > timezone.now()


@never_cache
def rsvp(request, token):
    convocazione = services.convocazione_da_token(token)
    if convocazione is None:
        return render(request, "tavoli/rsvp/non_valido.html", status=404)
    incontro = convocazione.incontro
    aperto = _aperto(incontro)
    form = None
    if aperto:
        if request.method == "POST":
            form = RispostaForm(request.POST)
            if form.is_valid():
                try:
                    convocazione = services.rispondi(
                        convocazione,
                        risposta=form.cleaned_data["risposta"],
                        delegato=form.cleaned_data["delegato"],
                        user=request.user,
                    )
                except OperazioneNonValida as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _messaggio(convocazione))
                return redirect(request.path)
        else:
            form = RispostaForm(
                initial={
                    "risposta": convocazione.risposta or None,
                    "delegato": convocazione.risposta_delegato,
                }
            )
    return render(
        request,
        "tavoli/rsvp/rsvp.html",
        {
            "convocazione": convocazione,
            "incontro": incontro,
            "tavolo": incontro.tavolo,
            "ambito": incontro.tavolo.ambito,
            "punti": incontro.punti.all(),
            "aperto": aperto,
            "form": form,
        },
    )


def _messaggio(convocazione):
    if convocazione.risposta == Convocazione.Risposta.SI:
        return _("Thank you: your answer is recorded. We expect you at the meeting.")
    if convocazione.risposta == Convocazione.Risposta.DELEGA:
        return _("Thank you: your answer is recorded. %(nome)s will attend in your place.") % {
            "nome": convocazione.risposta_delegato
        }
    return _("Thank you: your answer is recorded. We are sorry you cannot attend.")


urlpatterns = [path("rsvp/<str:token>/", rsvp, name="rsvp")]
