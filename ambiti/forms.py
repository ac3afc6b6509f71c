from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, AppartenenzaComune, Comune, Ente, Invito, Ruolo
from pdz.models import User
from pdz.validators import validate_pdf

RICERCA_COMUNE_MIN = 2


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class AmbitoForm(forms.ModelForm):
    class Meta:
        model = Ambito
        fields = [
            "nome",
            "descrizione",
            "ente_capofila",
            "indirizzo_ufficio",
            "email_ufficio",
            "pec_ufficio",
            "telefono_ufficio",
            "orari_ufficio",
        ]
        widgets = {"descrizione": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "descrizione": _("Shown on the public page of the ambito."),
            "orari_ufficio": _("E.g. Monday to Friday 9:00-12:30, Thursday also 14:30-17:00."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ente_capofila"].queryset = self.instance.enti.order_by("denominazione")
        self.fields["ente_capofila"].help_text = _("One of the parties of the ambito.")


class EnteForm(forms.ModelForm):
    class Meta:
        model = Ente
        fields = [
            "tipo",
            "denominazione",
            "codice_fiscale",
            "partita_iva",
            "comune",
            "indirizzo",
            "pec",
            "email",
            "telefono",
            "attivo",
        ]
        help_texts = {
            "codice_fiscale": _("11 digits for a body, 16 characters for a person."),
            "comune": _("Only for the party of a municipality of the ambito."),
        }
        widgets = {
            "codice_fiscale": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            "partita_iva": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        comuni = Comune.objects.filter(
            pk__in=AppartenenzaComune.objects.in_vigore().filter(ambito=ambito).values("comune")
        )
        if self.instance.comune_id:
            comuni = comuni | Comune.objects.filter(pk=self.instance.comune_id)
        self.fields["comune"].queryset = comuni.order_by("nome")
        if self.instance.pk is None:
            del self.fields["attivo"]

    def clean_codice_fiscale(self):
        value = self.cleaned_data["codice_fiscale"].strip().upper()
        if value:
            existing = Ente.objects.filter(codice_fiscale=value).exclude(pk=self.instance.pk)
            other = existing.first()
            if other is not None:
                raise forms.ValidationError(
                    _("A party with this tax code already exists: %(name)s."),
                    code="duplicato",
                    params={"name": other.denominazione},
                )
        return value

    def clean_partita_iva(self):
        return self.cleaned_data["partita_iva"].strip()

    def clean(self):
        cleaned = super().clean()
        tipo, comune = cleaned.get("tipo"), cleaned.get("comune")
        if tipo == Ente.Tipo.COMUNE and comune is None and "comune" not in self.errors:
            self.add_error("comune", _("Choose the municipality this party represents."))
        if comune is not None and tipo and tipo != Ente.Tipo.COMUNE:
            self.add_error("comune", _("Only a party of type municipality represents one."))
        return cleaned


class AggiungiComuneForm(forms.Form):
    """Pick a comune of the national list found by name (``q``), from a date."""

    q = forms.CharField(widget=forms.HiddenInput, required=False)
    comune = forms.ModelChoiceField(label=_("Municipality"), queryset=Comune.objects.none())
    dal = forms.DateField(label=_("Part of the ambito from"), widget=DateInput)
    sub_ambito = forms.ModelChoiceField(
        label=_("Sub-ambito"), queryset=None, required=False, empty_label=_("None")
    )

    def __init__(self, *args, ambito, q="", **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("dal", timezone.localdate())
        kwargs["initial"]["q"] = q
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        q = (self.data.get("q") if self.is_bound else q) or ""
        self.q = q.strip()
        if len(self.q) >= RICERCA_COMUNE_MIN:
            presenti = AppartenenzaComune.objects.in_vigore().filter(ambito=ambito).values("comune")
            self.fields["comune"].queryset = (
                Comune.objects.attivi().filter(nome__icontains=self.q).exclude(pk__in=presenti)
            )
        self.fields["sub_ambito"].queryset = ambito.sub_ambiti.all()
        if not self.fields["sub_ambito"].queryset.exists():
            del self.fields["sub_ambito"]


class TerminaAppartenenzaForm(forms.Form):
    al = forms.DateField(
        label=_("Last day in the ambito"),
        widget=DateInput,
        help_text=_("The municipality stays in the history of the ambito."),
    )


class InvitoForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(label=_("E-mail address"))
    tipo = forms.ChoiceField(label=_("Role"), choices=Ruolo.Tipo.choices)
    ente = forms.ModelChoiceField(
        label=_("Party"),
        queryset=Ente.objects.none(),
        required=False,
        help_text=_(
            "For a mayor or a delegate, the municipality; for a representative, their party."
        ),
    )

    TIPI_CON_COMUNE = (Ruolo.Tipo.SINDACO, Ruolo.Tipo.DELEGATO_SINDACO)

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        self.fields["ente"].queryset = Ente.objects.of_ambito(ambito).filter(attivo=True)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        tipo, ente, email = cleaned.get("tipo"), cleaned.get("ente"), cleaned.get("email")
        if tipo in self.TIPI_CON_COMUNE and (ente is None or ente.tipo != Ente.Tipo.COMUNE):
            self.add_error("ente", _("For a mayor or a delegate choose the municipality."))
        if tipo == Ruolo.Tipo.RAPPRESENTANTE_ENTE and ente is None:
            self.add_error("ente", _("Choose the party this person represents."))
        if tipo and email and not self.errors:
            if (
                Invito.objects.aperti()
                .filter(ambito=self.ambito, email=email, tipo=tipo, ente=ente)
                .exists()
            ):
                raise forms.ValidationError(
                    _("An invitation to this address for this role is already waiting."),
                    code="duplicato",
                )
            if (
                Ruolo.objects.attivi()
                .filter(ambito=self.ambito, user__email__iexact=email, tipo=tipo, ente=ente)
                .exists()
            ):
                raise forms.ValidationError(
                    _("This person already holds this role."), code="ruolo_esistente"
                )
        return cleaned


class AccettaInvitoForm(forms.Form):
    """A person without an account chooses a password to accept an invitation."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("First name and surname, as they appear on official documents."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("The address the invitation was sent to: you will sign in with it."),
        widget=forms.EmailInput(attrs={"readonly": True, "autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters; not only digits, not too common."),
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invito, **kwargs):
        kwargs.setdefault("initial", {"full_name": invito.full_name, "email": invito.email})
        super().__init__(*args, **kwargs)
        self.invito = invito

    def clean_email(self):
        # The address is the one the link was sent to, whatever the browser posts.
        return self.invito.email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            person = User(email=self.invito.email, full_name=cleaned.get("full_name", ""))
            try:
                validate_password(password1, user=person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class RuoloForm(forms.ModelForm):
    """Validity dates of a role and, for a mayor's delegate, the proxy document (delega)."""

    class Meta:
        model = Ruolo
        fields = ["valido_dal", "valido_al", "documento_delega"]
        widgets = {"valido_dal": DateInput, "valido_al": DateInput}
        help_texts = {
            "valido_al": _("Leave empty if the role has no end date."),
            "documento_delega": _("The signed proxy, as a PDF of at most 10 MB."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.tipo != Ruolo.Tipo.DELEGATO_SINDACO:
            del self.fields["documento_delega"]

    def clean_documento_delega(self):
        documento = self.cleaned_data.get("documento_delega")
        if documento and documento != self.instance.documento_delega:
            validate_pdf(documento)
        return documento

    def clean(self):
        cleaned = super().clean()
        dal, al = cleaned.get("valido_dal"), cleaned.get("valido_al")
        if dal and al and al < dal:
            self.add_error("valido_al", _("The end date comes before the start date."))
        return cleaned
