"""The comparison of two versions (piani.diff): pure functions on two ``contenuto`` dicts."""

from decimal import Decimal

from piani import diff
from piani.diff import INSERITO, OMESSO, RIMOSSO, UGUALE, Parte


def contenuto(sezioni=None, obiettivi=None, voci=None, anni=(2025, 2027)):
    return {
        "piano": {"titolo": "Piano di Zona", "anno_inizio": anni[0], "anno_fine": anni[1]},
        "sezioni": [
            {"lettera": lettera, "titolo": f"Sezione {lettera}", "testo": testo}
            for lettera, testo in (sezioni or {}).items()
        ],
        "obiettivi": obiettivi or [],
        "budget": voci or [],
    }


def obiettivo(codice, titolo="Domiciliarità", **campi):
    return {
        "codice": codice,
        "titolo": titolo,
        "area_policy": "",
        "aree_utenza": ["Anziani"],
        "bisogno": "",
        "risultati_attesi": "",
        "leps": [],
        "responsabile": "",
        "enti": [],
        "tavoli": [],
        "anno_da": 2025,
        "anno_a": 2027,
        "azioni": [],
        "indicatori": [],
        **campi,
    }


def voce(anno, previsto, fonte="FNPS"):
    # Amounts come back from the JSON of a version as strings.
    return {"anno": anno, "fonte": fonte, "previsto": previsto}


# --- words ----------------------------------------------------------------------------------


def test_a_changed_word_reads_as_deleted_then_inserted():
    parti = diff.diff_testo("Il servizio è gratuito.", "Il servizio è a pagamento.")
    assert parti == [
        Parte(UGUALE, "Il servizio è "),
        Parte(RIMOSSO, "gratuito"),
        Parte(INSERITO, "a pagamento"),
        Parte(UGUALE, "."),
    ]


def test_punctuation_is_compared_on_its_own():
    parti = diff.diff_testo("anziani, disabili", "anziani e disabili")
    assert [p for p in parti if p.tipo != UGUALE] == [
        Parte(RIMOSSO, ","),
        Parte(INSERITO, " e"),
    ]


def test_text_written_from_nothing_is_all_inserted():
    assert diff.diff_testo("", "Nuovo testo") == [Parte(INSERITO, "Nuovo testo")]
    assert diff.diff_testo("Vecchio testo", "") == [Parte(RIMOSSO, "Vecchio testo")]


def test_joining_the_parts_gives_back_both_texts():
    prima = "Il PUA è aperto il lunedì.\n\n- Casalmaggiore\n- Viadana"
    dopo = "Il PUA è aperto lunedì e giovedì.\n\n- Casalmaggiore\n- Viadana\n- Sabbioneta"
    parti = diff.diff_testo(prima, dopo, contesto=None)
    assert "".join(p.testo for p in parti if p.tipo != INSERITO) == prima
    assert "".join(p.testo for p in parti if p.tipo != RIMOSSO) == dopo


def test_long_unchanged_stretches_keep_only_their_context():
    lungo = " ".join(f"parola{n}" for n in range(200))
    parti = diff.diff_testo(lungo + " fine.", lungo + " conclusione.", contesto=5)
    assert [p.tipo for p in parti] == [OMESSO, UGUALE, RIMOSSO, INSERITO, UGUALE]
    # The last 5 tokens before the change are kept: two words and three spaces.
    assert parti[0].parole == 198
    assert parti[1].testo == " parola198 parola199 "


def test_a_change_at_the_start_keeps_the_beginning_of_what_follows():
    lungo = " ".join(f"parola{n}" for n in range(100))
    parti = diff.diff_testo("Premessa. " + lungo, "Introduzione. " + lungo, contesto=4)
    assert [p.tipo for p in parti] == [RIMOSSO, INSERITO, UGUALE, OMESSO]
    assert parti[2].testo == ". parola0 "


# --- sections ---------------------------------------------------------------------------------


def test_sections_changed_and_unchanged():
    prima = contenuto({"a": "Testo uguale.", "b": "Obiettivi del 2025."})
    dopo = contenuto({"a": "Testo uguale.", "b": "Obiettivi del 2025 e del 2026."})
    a, b = diff.confronta_sezioni(prima, dopo)
    assert (a.lettera, a.cambiata, a.testo, a.parti) == ("a", False, "Testo uguale.", [])
    assert b.cambiata
    assert (b.inserite, b.rimosse) == (3, 0)
    assert [p for p in b.parti if p.tipo == INSERITO] == [Parte(INSERITO, " e del 2026")]


def test_a_section_missing_from_one_version_is_compared_with_nothing():
    prima = contenuto({"a": "Uno."})
    dopo = contenuto({"a": "Uno.", "b": "Due parole."})
    _a, b = diff.confronta_sezioni(prima, dopo)
    assert b.cambiata and b.inserite == 2


# --- objectives -------------------------------------------------------------------------------


def test_objectives_added_removed_and_changed_by_code():
    prima = contenuto(
        obiettivi=[
            obiettivo("OB1"),
            obiettivo("OB2", "Povertà"),
            obiettivo("OB3", "Minori", leps=["PIPPI"]),
        ]
    )
    dopo = contenuto(
        obiettivi=[
            obiettivo("OB1"),
            obiettivo("OB3", "Minori e famiglie", leps=["PIPPI", "Dimissioni protette"]),
            obiettivo("OB4", "Abitare"),
        ]
    )
    risultato = diff.confronta_obiettivi(prima, dopo)
    assert [o["codice"] for o in risultato.aggiunti] == ["OB4"]
    assert [o["codice"] for o in risultato.rimossi] == ["OB2"]
    [cambiato] = risultato.cambiati
    assert cambiato.codice == "OB3"
    assert [(str(label), p, d) for label, p, d in cambiato.campi] == [
        ("Title", "Minori", "Minori e famiglie"),
        ("Related LEPS", "PIPPI", "PIPPI, Dimissioni protette"),
    ]
    assert not risultato.vuoto


def test_actions_and_indicators_count_as_changes_of_their_objective():
    prima = contenuto(
        obiettivi=[
            obiettivo(
                "OB1",
                indicatori=[
                    {"nome": "Utenti", "unita": "persone", "baseline": "100.00", "target": "150.00"}
                ],
            )
        ]
    )
    dopo = contenuto(
        obiettivi=[
            obiettivo(
                "OB1",
                azioni=[{"anno": 2026, "titolo": "Sportello"}],
                indicatori=[
                    {"nome": "Utenti", "unita": "persone", "baseline": "100.00", "target": "180.00"}
                ],
            )
        ]
    )
    [cambiato] = diff.confronta_obiettivi(prima, dopo).cambiati
    assert [(str(label), p, d) for label, p, d in cambiato.campi] == [
        ("Actions", "", "2026 Sportello"),
        ("Indicators", "Utenti (persone: 100 → 150)", "Utenti (persone: 100 → 180)"),
    ]


def test_same_objectives_no_change():
    stessi = contenuto(obiettivi=[obiettivo("OB1")])
    assert diff.confronta_obiettivi(stessi, stessi).vuoto


# --- budget -----------------------------------------------------------------------------------


def test_budget_totals_per_year_before_and_after_are_exact():
    prima = contenuto(voci=[voce(2025, "1000.10"), voce(2025, "0.20"), voce(2026, "500.00")])
    dopo = contenuto(voci=[voce(2025, "1000.10"), voce(2025, "0.25"), voce(2027, "333.33", "FNA")])
    righe = diff.confronta_budget(prima, dopo)
    assert [(r.anno, r.prima, r.dopo, r.differenza) for r in righe] == [
        (2025, Decimal("1000.30"), Decimal("1000.35"), Decimal("0.05")),
        (2026, Decimal("500.00"), Decimal("0.00"), Decimal("-500.00")),
        (2027, Decimal("0.00"), Decimal("333.33"), Decimal("333.33")),
        (None, Decimal("1500.30"), Decimal("1333.68"), Decimal("-166.62")),
    ]


def test_identical_versions():
    stessa = contenuto({"a": "Testo."}, [obiettivo("OB1")], [voce(2025, "10.00")])
    confronto = diff.confronta(stessa, stessa)
    assert confronto.identiche
    assert confronto.sezioni_cambiate == []


def test_any_change_makes_the_versions_different():
    prima = contenuto({"a": "Testo."}, voci=[voce(2025, "10.00")])
    dopo = contenuto({"a": "Testo."}, voci=[voce(2025, "10.01")])
    assert not diff.confronta(prima, dopo).identiche


def test_the_context_of_a_change_keeps_whole_lines():
    righe = [f"Riga numero {n} del testo." for n in range(20)]
    prima = "\n".join(righe)
    dopo = "\n".join([*righe[:10], "Riga numero 10 cambiata.", *righe[11:]])
    parti = diff.diff_testo(prima, dopo, contesto=20)
    assert [p.tipo for p in parti] == [OMESSO, UGUALE, RIMOSSO, INSERITO, UGUALE, OMESSO]
    assert parti[1].testo == "Riga numero 9 del testo.\nRiga numero 10 "
    assert parti[4].testo == ".\nRiga numero 11 del testo.\n"
