"""The words of the survey form, its pages and its emails, in every language steerco ships.

Questionnaires carry their own question texts; everything around them (buttons, messages,
kind pages, emails) comes from here. A questionnaire may only offer languages listed in
``LANGUAGES``. Which language a respondent sees is chosen by ``choose_language``.
"""

from __future__ import annotations

import re

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch", "es": "Español"}
LANGUAGES = tuple(LANGUAGE_NAMES)

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "page_title": "Survey",
        "required": "required",
        "optional": "optional",
        "submit": "Send my answers",
        "language": "Language",
        "yes": "Yes",
        "no": "No",
        "scale_hint": "{low_value} = {low}, {high_value} = {high}",
        "chars_hint": "Up to {max} characters.",
        "anonymous_note": "This survey is anonymous: your answers are not linked to you or to your request.",
        "confidential_note": "Your answers are linked to your request so that it can be followed up; "
                             "reports only ever show totals of five answers or more.",
        "error_title": "Please check your answers",
        "error_intro_one": "One answer needs your attention:",
        "error_intro_many": "{n} answers need your attention:",
        "err_required": "Please answer this question.",
        "err_range": "Choose a value from {low} to {high}.",
        "err_choice": "Choose one of the options given.",
        "err_yes_no": "Choose yes or no.",
        "err_too_long": "Please shorten your answer to {max} characters (it has {n}).",
        "err_repeated": "Give one answer to this question.",
        "err_unknown_fields": "The form sent answers this survey does not ask for. Reload the page and try again.",
        "err_other_questionnaire": "These answers were given on the form of another survey. "
                                   "Reload the page and answer again.",
        "err_expired_form": "This form has expired. Your answers are kept below: please send them again.",
        "thanks_title": "Thank you!",
        "thanks_body": "Your answers have been recorded. They help us improve the service we give you.",
        "answered_title": "This survey has already been answered",
        "answered_body": "Thank you: answers were recorded for this link earlier. Each survey can be answered once.",
        "expired_title": "This survey has closed",
        "expired_body": "The time to answer this survey has passed. Thank you all the same.",
        "void_title": "This survey is no longer needed",
        "void_body": "Your request was reopened, so this survey was closed. "
                     "You may be asked again once the request is resolved.",
        "unknown_title": "We could not find this survey",
        "unknown_body": "The link may be incomplete. Check that you opened the whole link from your message.",
        "limited_title": "Too many attempts",
        "limited_body": "Please wait a few minutes and try again.",
        "unreadable_title": "We could not read your answers",
        "unreadable_body": "Please answer on the survey form itself: open the link from your message again.",
        "too_large_body": "Your answers were too long to be received. Shorten your comment and send them again.",
        "email_subject": "How did we do? Your request {ticket}",
        "email_reminder_subject": "Reminder: how did we do with your request {ticket}?",
        "email_greeting": "Hello,",
        "email_body": "Your request {ticket} was resolved recently. Would you tell us how it went? "
                      "The survey takes about a minute.",
        "email_reminder_body": "A few days ago we asked how your request {ticket} went. If you have a minute, "
                               "your answers would help us. This is the only reminder we send.",
        "email_link": "Answer the survey:",
        "email_quick": "Or choose a rating straight away (1 = very dissatisfied, 5 = very satisfied):",
        "email_expiry": "The link works until {date} and can be used once.",
        "email_anonymous": "The survey is anonymous.",
        "email_footer": "You received this message because a request you made was resolved. "
                        "If you prefer not to answer, simply ignore it.",
    },
    "fr": {
        "page_title": "Questionnaire",
        "required": "obligatoire",
        "optional": "facultatif",
        "submit": "Envoyer mes réponses",
        "language": "Langue",
        "yes": "Oui",
        "no": "Non",
        "scale_hint": "{low_value} = {low}, {high_value} = {high}",
        "chars_hint": "{max} caractères au plus.",
        "anonymous_note": "Ce questionnaire est anonyme : vos réponses ne sont liées ni à vous ni à votre demande.",
        "confidential_note": "Vos réponses sont liées à votre demande afin de pouvoir y donner suite ; "
                             "les rapports ne montrent que des totaux d'au moins cinq réponses.",
        "error_title": "Veuillez vérifier vos réponses",
        "error_intro_one": "Une réponse demande votre attention :",
        "error_intro_many": "{n} réponses demandent votre attention :",
        "err_required": "Veuillez répondre à cette question.",
        "err_range": "Choisissez une valeur de {low} à {high}.",
        "err_choice": "Choisissez l'une des options proposées.",
        "err_yes_no": "Choisissez oui ou non.",
        "err_too_long": "Veuillez raccourcir votre réponse à {max} caractères (elle en compte {n}).",
        "err_repeated": "Donnez une seule réponse à cette question.",
        "err_unknown_fields": "Le formulaire contenait des réponses que ce questionnaire ne demande pas. "
                              "Rechargez la page et réessayez.",
        "err_other_questionnaire": "Ces réponses ont été données sur le formulaire d'un autre questionnaire. "
                                   "Rechargez la page et répondez à nouveau.",
        "err_expired_form": "Ce formulaire a expiré. Vos réponses sont conservées ci-dessous : "
                            "veuillez les envoyer à nouveau.",
        "thanks_title": "Merci !",
        "thanks_body": "Vos réponses ont été enregistrées. Elles nous aident à améliorer le service que nous vous rendons.",
        "answered_title": "Ce questionnaire a déjà reçu une réponse",
        "answered_body": "Merci : des réponses ont déjà été enregistrées pour ce lien. "
                         "Chaque questionnaire ne peut être rempli qu'une fois.",
        "expired_title": "Ce questionnaire est clos",
        "expired_body": "Le délai pour répondre à ce questionnaire est passé. Merci tout de même.",
        "void_title": "Ce questionnaire n'est plus nécessaire",
        "void_body": "Votre demande a été rouverte, ce questionnaire a donc été clos. "
                     "Il pourra vous être proposé à nouveau une fois la demande résolue.",
        "unknown_title": "Nous n'avons pas trouvé ce questionnaire",
        "unknown_body": "Le lien est peut-être incomplet. Vérifiez que vous avez ouvert le lien entier de votre message.",
        "limited_title": "Trop de tentatives",
        "limited_body": "Veuillez patienter quelques minutes, puis réessayer.",
        "unreadable_title": "Nous n'avons pas pu lire vos réponses",
        "unreadable_body": "Veuillez répondre sur le formulaire du questionnaire : rouvrez le lien de votre message.",
        "too_large_body": "Vos réponses étaient trop longues pour être reçues. Raccourcissez votre commentaire "
                          "et envoyez-les à nouveau.",
        "email_subject": "Votre avis sur votre demande {ticket}",
        "email_reminder_subject": "Rappel : votre avis sur votre demande {ticket}",
        "email_greeting": "Bonjour,",
        "email_body": "Votre demande {ticket} a été résolue récemment. Voulez-vous nous dire comment cela s'est passé ? "
                      "Le questionnaire prend environ une minute.",
        "email_reminder_body": "Il y a quelques jours, nous vous avons demandé votre avis sur votre demande {ticket}. "
                               "Si vous avez une minute, vos réponses nous aideraient. C'est le seul rappel que nous envoyons.",
        "email_link": "Répondre au questionnaire :",
        "email_quick": "Ou choisissez directement une note (1 = très insatisfait, 5 = très satisfait) :",
        "email_expiry": "Le lien est valable jusqu'au {date} et ne peut servir qu'une fois.",
        "email_anonymous": "Le questionnaire est anonyme.",
        "email_footer": "Vous recevez ce message parce qu'une de vos demandes a été résolue. "
                        "Si vous préférez ne pas répondre, ignorez-le simplement.",
    },
    "de": {
        "page_title": "Umfrage",
        "required": "Pflichtfrage",
        "optional": "freiwillig",
        "submit": "Antworten senden",
        "language": "Sprache",
        "yes": "Ja",
        "no": "Nein",
        "scale_hint": "{low_value} = {low}, {high_value} = {high}",
        "chars_hint": "Höchstens {max} Zeichen.",
        "anonymous_note": "Diese Umfrage ist anonym: Ihre Antworten werden weder mit Ihnen noch mit Ihrer Anfrage verknüpft.",
        "confidential_note": "Ihre Antworten werden mit Ihrer Anfrage verknüpft, damit nachgefasst werden kann; "
                             "Berichte zeigen nur Summen aus mindestens fünf Antworten.",
        "error_title": "Bitte prüfen Sie Ihre Antworten",
        "error_intro_one": "Eine Antwort braucht Ihre Aufmerksamkeit:",
        "error_intro_many": "{n} Antworten brauchen Ihre Aufmerksamkeit:",
        "err_required": "Bitte beantworten Sie diese Frage.",
        "err_range": "Wählen Sie einen Wert von {low} bis {high}.",
        "err_choice": "Wählen Sie eine der angebotenen Möglichkeiten.",
        "err_yes_no": "Wählen Sie Ja oder Nein.",
        "err_too_long": "Bitte kürzen Sie Ihre Antwort auf {max} Zeichen (sie hat {n}).",
        "err_repeated": "Geben Sie auf diese Frage eine Antwort.",
        "err_unknown_fields": "Das Formular enthielt Antworten, nach denen diese Umfrage nicht fragt. "
                              "Laden Sie die Seite neu und versuchen Sie es noch einmal.",
        "err_other_questionnaire": "Diese Antworten wurden im Formular einer anderen Umfrage gegeben. "
                                   "Laden Sie die Seite neu und antworten Sie noch einmal.",
        "err_expired_form": "Dieses Formular ist abgelaufen. Ihre Antworten stehen unten noch da: "
                            "bitte senden Sie sie erneut.",
        "thanks_title": "Vielen Dank!",
        "thanks_body": "Ihre Antworten wurden gespeichert. Sie helfen uns, unseren Service für Sie zu verbessern.",
        "answered_title": "Diese Umfrage wurde bereits beantwortet",
        "answered_body": "Danke: Für diesen Link wurden bereits Antworten gespeichert. "
                         "Jede Umfrage kann einmal beantwortet werden.",
        "expired_title": "Diese Umfrage ist geschlossen",
        "expired_body": "Die Frist für diese Umfrage ist abgelaufen. Trotzdem vielen Dank.",
        "void_title": "Diese Umfrage wird nicht mehr benötigt",
        "void_body": "Ihre Anfrage wurde wieder geöffnet, deshalb wurde diese Umfrage geschlossen. "
                     "Sobald die Anfrage gelöst ist, fragen wir Sie vielleicht erneut.",
        "unknown_title": "Wir haben diese Umfrage nicht gefunden",
        "unknown_body": "Der Link ist vielleicht unvollständig. Prüfen Sie, ob Sie den ganzen Link aus Ihrer Nachricht geöffnet haben.",
        "limited_title": "Zu viele Versuche",
        "limited_body": "Bitte warten Sie ein paar Minuten und versuchen Sie es dann noch einmal.",
        "unreadable_title": "Wir konnten Ihre Antworten nicht lesen",
        "unreadable_body": "Bitte antworten Sie im Formular der Umfrage: öffnen Sie den Link aus Ihrer Nachricht erneut.",
        "too_large_body": "Ihre Antworten waren zu lang, um sie anzunehmen. Kürzen Sie Ihren Kommentar "
                          "und senden Sie sie erneut.",
        "email_subject": "Wie waren wir? Ihre Anfrage {ticket}",
        "email_reminder_subject": "Erinnerung: Wie waren wir bei Ihrer Anfrage {ticket}?",
        "email_greeting": "Guten Tag,",
        "email_body": "Ihre Anfrage {ticket} wurde vor Kurzem gelöst. Möchten Sie uns sagen, wie es gelaufen ist? "
                      "Die Umfrage dauert etwa eine Minute.",
        "email_reminder_body": "Vor ein paar Tagen haben wir Sie gefragt, wie Ihre Anfrage {ticket} gelaufen ist. "
                               "Wenn Sie eine Minute haben, helfen uns Ihre Antworten. Dies ist die einzige Erinnerung.",
        "email_link": "Zur Umfrage:",
        "email_quick": "Oder wählen Sie gleich eine Bewertung (1 = sehr unzufrieden, 5 = sehr zufrieden):",
        "email_expiry": "Der Link gilt bis {date} und kann einmal benutzt werden.",
        "email_anonymous": "Die Umfrage ist anonym.",
        "email_footer": "Sie erhalten diese Nachricht, weil eine Ihrer Anfragen gelöst wurde. "
                        "Wenn Sie nicht antworten möchten, ignorieren Sie sie einfach.",
    },
    "es": {
        "page_title": "Encuesta",
        "required": "obligatoria",
        "optional": "opcional",
        "submit": "Enviar mis respuestas",
        "language": "Idioma",
        "yes": "Sí",
        "no": "No",
        "scale_hint": "{low_value} = {low}, {high_value} = {high}",
        "chars_hint": "Hasta {max} caracteres.",
        "anonymous_note": "Esta encuesta es anónima: sus respuestas no se vinculan ni a usted ni a su solicitud.",
        "confidential_note": "Sus respuestas se vinculan a su solicitud para poder darle seguimiento; "
                             "los informes solo muestran totales de cinco respuestas o más.",
        "error_title": "Revise sus respuestas, por favor",
        "error_intro_one": "Una respuesta necesita su atención:",
        "error_intro_many": "{n} respuestas necesitan su atención:",
        "err_required": "Responda a esta pregunta, por favor.",
        "err_range": "Elija un valor de {low} a {high}.",
        "err_choice": "Elija una de las opciones propuestas.",
        "err_yes_no": "Elija sí o no.",
        "err_too_long": "Acorte su respuesta a {max} caracteres, por favor (tiene {n}).",
        "err_repeated": "Dé una sola respuesta a esta pregunta.",
        "err_unknown_fields": "El formulario envió respuestas que esta encuesta no pide. "
                              "Vuelva a cargar la página e inténtelo de nuevo.",
        "err_other_questionnaire": "Estas respuestas se dieron en el formulario de otra encuesta. "
                                   "Vuelva a cargar la página y responda de nuevo.",
        "err_expired_form": "Este formulario ha caducado. Sus respuestas se conservan abajo: envíelas de nuevo, por favor.",
        "thanks_title": "¡Gracias!",
        "thanks_body": "Sus respuestas se han registrado. Nos ayudan a mejorar el servicio que le prestamos.",
        "answered_title": "Esta encuesta ya se respondió",
        "answered_body": "Gracias: ya se registraron respuestas para este enlace. Cada encuesta se puede responder una vez.",
        "expired_title": "Esta encuesta está cerrada",
        "expired_body": "El plazo para responder a esta encuesta ha terminado. Gracias de todos modos.",
        "void_title": "Esta encuesta ya no es necesaria",
        "void_body": "Su solicitud se volvió a abrir, así que esta encuesta se cerró. "
                     "Es posible que le preguntemos de nuevo cuando se resuelva.",
        "unknown_title": "No encontramos esta encuesta",
        "unknown_body": "Puede que el enlace esté incompleto. Compruebe que abrió el enlace completo de su mensaje.",
        "limited_title": "Demasiados intentos",
        "limited_body": "Espere unos minutos y vuelva a intentarlo, por favor.",
        "unreadable_title": "No pudimos leer sus respuestas",
        "unreadable_body": "Responda en el propio formulario de la encuesta: vuelva a abrir el enlace de su mensaje.",
        "too_large_body": "Sus respuestas eran demasiado largas para recibirlas. Acorte su comentario y envíelas de nuevo.",
        "email_subject": "¿Qué tal lo hicimos? Su solicitud {ticket}",
        "email_reminder_subject": "Recordatorio: ¿qué tal lo hicimos con su solicitud {ticket}?",
        "email_greeting": "Hola:",
        "email_body": "Su solicitud {ticket} se resolvió hace poco. ¿Nos cuenta cómo fue? "
                      "La encuesta dura aproximadamente un minuto.",
        "email_reminder_body": "Hace unos días le preguntamos cómo fue su solicitud {ticket}. Si tiene un minuto, "
                               "sus respuestas nos ayudarían. Este es el único recordatorio que enviamos.",
        "email_link": "Responder a la encuesta:",
        "email_quick": "O elija directamente una valoración (1 = muy insatisfecho, 5 = muy satisfecho):",
        "email_expiry": "El enlace es válido hasta el {date} y se puede usar una vez.",
        "email_anonymous": "La encuesta es anónima.",
        "email_footer": "Recibe este mensaje porque se resolvió una solicitud suya. "
                        "Si prefiere no responder, simplemente ignórelo.",
    },
}

_TAG = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")


_GROUPING = {"en": ",", "fr": "\u202f", "de": ".", "es": "."}


def number(language: str, n: int) -> str:
    """A whole number as the language writes it: 2,000 · 2 000 · 2.000."""
    return f"{n:,}".replace(",", _GROUPING.get(language, ","))


def message(language: str, key: str, **values: object) -> str:
    """The UI text ``key`` in ``language`` (English when the language is not shipped)."""
    text = MESSAGES.get(language, MESSAGES["en"])[key]
    return text.format(**values) if values else text


def parse_accept_language(header: str | None) -> list[str]:
    """Language tags of an Accept-Language header, best first (q=0 dropped, bad parts ignored)."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "")[:1000].split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not tag or not _TAG.match(tag):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if 0 < q <= 1:
            ranked.append((-q, i, tag.lower()))
    return [tag for _q, _i, tag in sorted(ranked)]


def choose_language(available: tuple[str, ...], *, chosen: str | None = None, invitation: str | None = None,
                    accept_language: str | None = None) -> str:
    """The language to show: the one the respondent picked on the form, else the invitation's,
    else the browser's best match (Accept-Language, ``fr-CA`` matching ``fr``), else the
    questionnaire's first (default) language."""
    for candidate in (chosen, invitation):
        if candidate and candidate.lower() in available:
            return candidate.lower()
    for tag in parse_accept_language(accept_language):
        if tag == "*":
            return available[0]
        if tag in available:
            return tag
        primary = tag.split("-", 1)[0]
        if primary in available:
            return primary
    return available[0]
