from django.urls import path

from learnflow.portfolio import views

app_name = "portfolio"
urlpatterns = [
    path("", views.portfolio_list_page, name="list"),
    path("<int:pk>/", views.portfolio_detail, name="detail"),
    path("<int:pk>/compose/", views.portfolio_edit, name="edit"),
    path("<int:pk>/share/", views.portfolio_share_page, name="share"),
    path("<int:pk>/delete/", views.portfolio_delete_view, name="delete"),
    path("<int:pk>/items/<int:item_pk>/", views.portfolio_item, name="item"),
    path("<int:pk>/portfolio.html", views.export_html, name="export_html"),
    path("<int:pk>/portfolio.pdf", views.export_pdf, name="export_pdf"),
    path("p/<str:token>/", views.public_page, name="public"),
]
