from django.urls import path

from . import views

app_name = "course"

urlpatterns = [
    path("account/data/", views.account_data, name="account_data"),
    path("account/data/export.zip", views.account_export, name="account_export"),
    path("account/data/erase/", views.account_erase, name="account_erase"),
    path("account/data/users/<int:user_id>/export.zip", views.staff_export, name="staff_export"),
    path("", views.my_courses, name="my_courses"),
    path("courses/<slug:course>/", views.course_detail, name="course"),
    path("courses/<slug:course>/modules/<slug:module>/", views.module_detail, name="module"),
    path("courses/<slug:course>/lessons/<slug:lesson>/", views.lesson_detail, name="lesson"),
    path("courses/<slug:course>/lessons/<slug:lesson>/complete/", views.lesson_complete, name="lesson_complete"),
]
