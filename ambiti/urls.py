from django.urls import path

from ambiti import views

app_name = "ambiti"

urlpatterns = [
    path("", views.ambito_list, name="list"),
    path("inviti/<str:token>/", views.invito, name="invito"),
    path("<slug:codice>/", views.ambito_detail, name="detail"),
    path("<slug:codice>/gestione/", views.dashboard, name="dashboard"),
    path("<slug:codice>/gestione/modifica/", views.ambito_edit, name="edit"),
    path("<slug:codice>/gestione/comuni/", views.comuni, name="comuni"),
    path("<slug:codice>/gestione/comuni/aggiungi/", views.comune_add, name="comune_add"),
    path(
        "<slug:codice>/gestione/comuni/<int:pk>/termina/",
        views.appartenenza_end,
        name="appartenenza_end",
    ),
    path("<slug:codice>/gestione/enti/", views.enti, name="enti"),
    path("<slug:codice>/gestione/enti/nuovo/", views.ente_create, name="ente_create"),
    path("<slug:codice>/gestione/enti/<int:pk>/", views.ente_edit, name="ente_edit"),
    path("<slug:codice>/gestione/persone/", views.ruoli, name="ruoli"),
    path(
        "<slug:codice>/gestione/persone/<int:pk>/revoca/",
        views.ruolo_revoke,
        name="ruolo_revoke",
    ),
    path("<slug:codice>/gestione/persone/<int:pk>/", views.ruolo_edit, name="ruolo_edit"),
    path(
        "<slug:codice>/gestione/persone/<int:pk>/delega/",
        views.ruolo_delega,
        name="ruolo_delega",
    ),
    path("<slug:codice>/gestione/inviti/", views.inviti, name="inviti"),
    path("<slug:codice>/gestione/inviti/nuovo/", views.invito_create, name="invito_create"),
    path(
        "<slug:codice>/gestione/inviti/<int:pk>/ritira/",
        views.invito_withdraw,
        name="invito_withdraw",
    ),
]
