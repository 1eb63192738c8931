"""The reviewer page's words in English, French, Spanish and German, chosen from the browser's Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "fr", "es", "de")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "app": "MIRAGE review", "queue": "Queue", "decided": "Decided", "signed_in_as": "Signed in as {name} ({role})",
        "sign_out": "Sign out", "local_mode": "Local single-user mode: no account exists and this gateway listens only on this machine, "
        "so the page needs no login; you act as the local admin.",
        "login_title": "Sign in to review", "api_key": "API key", "or": "or", "account_name": "Account name", "password": "Password",
        "sign_in": "Sign in", "login_hint": "An admin makes your account and key with `mirage users add NAME --role reviewer`.",
        "bad_key": "This key is unknown, expired or revoked.", "bad_password": "Wrong account name or password.",
        "login_missing": "Give your API key, or your account name and password.",
        "wrong_role": "This page is for reviewers and auditors; the account {name} is {role}.",
        "queue_title": "Cases waiting for review", "queue_summary": "{open} open, {overdue} past their deadline",
        "all_languages": "All languages", "all_categories": "All categories", "all_decisions": "All decisions", "search": "Search the questions",
        "filter": "Filter", "reviewer": "Reviewer", "level": "Level", "question": "Question", "categories": "Categories", "language": "Language",
        "age": "Waiting", "deadline": "Deadline", "holder": "Held by", "status": "Status", "nobody": "nobody", "overdue": "overdue",
        "escalated_badge": "escalated", "no_cases": "No case matches.", "more_cases": "{shown} of {total} shown.",
        "case_title": "Case {id}", "back_to_queue": "Back to the queue", "held_because": "Held because", "findings": "Findings",
        "category": "Category", "source": "Found in", "triggers": "Trigger words", "draft": "Draft answer", "draft_language": "in {language}",
        "notice": "Notice", "evidence": "Evidence", "document": "Document", "page": "page {page}", "history": "History", "when": "When",
        "action": "Action", "who": "Who", "detail": "Detail", "verdict": "Verdict", "verdict_line": "{decision} by {name}, {at}",
        "reason": "Reason", "released_answer": "Answer released to the asker", "claimed_by_you": "You hold this case until {until}.",
        "claimed_by_other": "Claimed by {name} until {until}: only they can decide it now.", "claim": "Claim", "release": "Release my claim",
        "approve": "Approve the draft", "approve_title": "Approve", "reason_optional": "Comment (optional)", "edit_title": "Edit the answer",
        "answer": "Corrected answer", "reason_required": "Reason (required)", "show_changes": "Show the changes",
        "reset_draft": "Start again from the draft", "reject_title": "Reject", "reject": "Reject: the asker gets the safe message",
        "escalate_title": "Escalate", "escalate": "Escalate to a senior reviewer", "confirm_title": "Check your changes before releasing",
        "confirm_help": "Removed words are struck through, added words are underlined.", "confirm_edit": "Release the edited answer",
        "back_to_edit": "Back to editing", "read_only": "Your role ({role}) may read cases but not decide them.",
        "decided_title": "Decided cases", "decided_at": "Decided", "decision": "Decision", "no_decided": "No decided case matches.",
        "err_claimed": "Claimed by {name}: only they can decide it now.", "err_already_decided": "Already decided: {decision} by {name}.",
        "err_not_the_holder": "Claimed by {name}: only they or an admin can release it.", "err_case_not_found": "There is no such case.",
        "err_review_unavailable": "The review service did not answer; try again in a moment.", "err_reason_required": "Give a reason.",
        "err_answer_required": "Write the corrected answer.", "err_too_long": "Too long: at most {max} characters.",
        "err_csrf": "This form has expired; reload the page and try again.", "err_forbidden": "Your role may not do this.",
        "err_rate_limited": "Too many attempts from here; wait a minute and try again.",
        "err_unknown": "The action was refused ({code}).", "done_claimed": "You hold this case now.", "done_released": "Claim released.",
        "done_decided": "Decided: {decision}.", "not_found_title": "Not found",
        "units": "s|min|h|d",
        "level.critical": "critical", "level.high": "high", "level.medium": "medium", "level.low": "low", "level.none": "none",
        "status.pending": "pending", "status.claimed": "claimed", "status.escalated": "escalated", "status.approved": "approved",
        "status.edited": "edited", "status.rejected": "rejected", "status.expired": "expired",
        "action.parked": "parked", "action.claimed": "claimed", "action.claim released": "claim released", "action.escalated": "escalated",
        "action.approved": "approved", "action.edited": "edited", "action.rejected": "rejected", "action.expired": "expired",
        "cat.pregnancy_breastfeeding": "pregnancy, breastfeeding", "cat.children": "children", "cat.dosage_overdose": "dosage, overdose",
        "cat.contraindications_interactions": "contraindications, interactions", "cat.self_harm": "self-harm", "cat.emergency": "emergency",
        "cat.stopping_treatment": "stopping a treatment",
        "source.question": "question", "source.answer": "answer", "source.evidence": "evidence",
    },
    "fr": {
        "app": "MIRAGE relecture", "queue": "File d'attente", "decided": "Décidés", "signed_in_as": "Connecté : {name} ({role})",
        "sign_out": "Se déconnecter", "local_mode": "Mode local mono-utilisateur : aucun compte n'existe et cette passerelle n'écoute que sur "
        "cette machine, la page ne demande donc pas de connexion ; vous agissez en administrateur local.",
        "login_title": "Se connecter pour relire", "api_key": "Clé d'API", "or": "ou", "account_name": "Nom du compte", "password": "Mot de passe",
        "sign_in": "Se connecter", "login_hint": "Un administrateur crée votre compte et votre clé avec `mirage users add NOM --role reviewer`.",
        "bad_key": "Cette clé est inconnue, expirée ou révoquée.", "bad_password": "Nom de compte ou mot de passe incorrect.",
        "login_missing": "Indiquez votre clé d'API, ou votre nom de compte et votre mot de passe.",
        "wrong_role": "Cette page est réservée aux relecteurs et aux auditeurs ; le compte {name} a le rôle {role}.",
        "queue_title": "Cas en attente de relecture", "queue_summary": "{open} ouverts, {overdue} en retard sur leur échéance",
        "all_languages": "Toutes les langues", "all_categories": "Toutes les catégories", "all_decisions": "Toutes les décisions",
        "search": "Chercher dans les questions", "filter": "Filtrer", "reviewer": "Relecteur", "level": "Niveau", "question": "Question",
        "categories": "Catégories", "language": "Langue", "age": "Attente", "deadline": "Échéance", "holder": "Pris par", "status": "État",
        "nobody": "personne", "overdue": "en retard", "escalated_badge": "escaladé", "no_cases": "Aucun cas ne correspond.",
        "more_cases": "{shown} sur {total} affichés.",
        "case_title": "Cas {id}", "back_to_queue": "Retour à la file", "held_because": "Retenu parce que", "findings": "Constats",
        "category": "Catégorie", "source": "Trouvé dans", "triggers": "Mots déclencheurs", "draft": "Projet de réponse",
        "draft_language": "en {language}", "notice": "Avis", "evidence": "Sources", "document": "Document", "page": "page {page}",
        "history": "Historique", "when": "Quand", "action": "Action", "who": "Qui", "detail": "Détail", "verdict": "Décision",
        "verdict_line": "{decision} par {name}, {at}", "reason": "Motif", "released_answer": "Réponse transmise au demandeur",
        "claimed_by_you": "Vous tenez ce cas jusqu'à {until}.",
        "claimed_by_other": "Pris par {name} jusqu'à {until} : seule cette personne peut le décider pour l'instant.",
        "claim": "Prendre le cas", "release": "Rendre le cas", "approve": "Approuver le projet", "approve_title": "Approuver",
        "reason_optional": "Commentaire (facultatif)", "edit_title": "Corriger la réponse", "answer": "Réponse corrigée",
        "reason_required": "Motif (obligatoire)", "show_changes": "Voir les modifications", "reset_draft": "Repartir du projet",
        "reject_title": "Rejeter", "reject": "Rejeter : le demandeur reçoit le message de sécurité", "escalate_title": "Escalader",
        "escalate": "Escalader vers un relecteur senior", "confirm_title": "Vérifiez vos modifications avant de transmettre",
        "confirm_help": "Les mots supprimés sont barrés, les mots ajoutés soulignés.", "confirm_edit": "Transmettre la réponse corrigée",
        "back_to_edit": "Revenir à la correction", "read_only": "Votre rôle ({role}) permet de lire les cas, pas de les décider.",
        "decided_title": "Cas décidés", "decided_at": "Décidé le", "decision": "Décision", "no_decided": "Aucun cas décidé ne correspond.",
        "err_claimed": "Pris par {name} : seule cette personne peut le décider pour l'instant.",
        "err_already_decided": "Déjà décidé : {decision} par {name}.",
        "err_not_the_holder": "Pris par {name} : seule cette personne ou un administrateur peut le rendre.",
        "err_case_not_found": "Ce cas n'existe pas.",
        "err_review_unavailable": "Le service de relecture n'a pas répondu ; réessayez dans un instant.",
        "err_reason_required": "Indiquez un motif.", "err_answer_required": "Écrivez la réponse corrigée.",
        "err_too_long": "Trop long : {max} caractères au plus.", "err_csrf": "Ce formulaire a expiré ; rechargez la page et recommencez.",
        "err_forbidden": "Votre rôle ne permet pas cette action.",
        "err_rate_limited": "Trop de tentatives d'ici ; attendez une minute et recommencez.",
        "err_unknown": "L'action a été refusée ({code}).",
        "done_claimed": "Vous tenez ce cas.", "done_released": "Cas rendu.", "done_decided": "Décidé : {decision}.",
        "not_found_title": "Introuvable",
        "units": "s|min|h|j",
        "level.critical": "critique", "level.high": "élevé", "level.medium": "moyen", "level.low": "faible", "level.none": "aucun",
        "status.pending": "en attente", "status.claimed": "pris", "status.escalated": "escaladé", "status.approved": "approuvé",
        "status.edited": "corrigé", "status.rejected": "rejeté", "status.expired": "expiré",
        "action.parked": "mis en attente", "action.claimed": "pris", "action.claim released": "rendu", "action.escalated": "escaladé",
        "action.approved": "approuvé", "action.edited": "corrigé", "action.rejected": "rejeté", "action.expired": "expiré",
        "cat.pregnancy_breastfeeding": "grossesse, allaitement", "cat.children": "enfants", "cat.dosage_overdose": "posologie, surdosage",
        "cat.contraindications_interactions": "contre-indications, interactions", "cat.self_harm": "automutilation",
        "cat.emergency": "urgence", "cat.stopping_treatment": "arrêt d'un traitement",
        "source.question": "question", "source.answer": "réponse", "source.evidence": "sources",
    },
    "es": {
        "app": "MIRAGE revisión", "queue": "Cola", "decided": "Decididos", "signed_in_as": "Sesión de {name} ({role})",
        "sign_out": "Cerrar sesión", "local_mode": "Modo local de un solo usuario: no existe ninguna cuenta y esta pasarela solo escucha en "
        "esta máquina, así que la página no pide iniciar sesión; actúa como administrador local.",
        "login_title": "Iniciar sesión para revisar", "api_key": "Clave de API", "or": "o", "account_name": "Nombre de la cuenta",
        "password": "Contraseña", "sign_in": "Iniciar sesión",
        "login_hint": "Un administrador crea su cuenta y su clave con `mirage users add NOMBRE --role reviewer`.",
        "bad_key": "Esta clave es desconocida, ha caducado o ha sido revocada.", "bad_password": "Nombre de cuenta o contraseña incorrectos.",
        "login_missing": "Indique su clave de API, o su nombre de cuenta y su contraseña.",
        "wrong_role": "Esta página es para revisores y auditores; la cuenta {name} tiene el rol {role}.",
        "queue_title": "Casos pendientes de revisión", "queue_summary": "{open} abiertos, {overdue} fuera de plazo",
        "all_languages": "Todos los idiomas", "all_categories": "Todas las categorías", "all_decisions": "Todas las decisiones",
        "search": "Buscar en las preguntas", "filter": "Filtrar", "reviewer": "Revisor", "level": "Nivel", "question": "Pregunta",
        "categories": "Categorías", "language": "Idioma", "age": "Espera", "deadline": "Plazo", "holder": "Asignado a", "status": "Estado",
        "nobody": "nadie", "overdue": "fuera de plazo", "escalated_badge": "escalado", "no_cases": "Ningún caso coincide.",
        "more_cases": "Se muestran {shown} de {total}.",
        "case_title": "Caso {id}", "back_to_queue": "Volver a la cola", "held_because": "Retenido porque", "findings": "Hallazgos",
        "category": "Categoría", "source": "Encontrado en", "triggers": "Palabras desencadenantes", "draft": "Borrador de respuesta",
        "draft_language": "en {language}", "notice": "Aviso", "evidence": "Fuentes", "document": "Documento", "page": "página {page}",
        "history": "Historial", "when": "Cuándo", "action": "Acción", "who": "Quién", "detail": "Detalle", "verdict": "Decisión",
        "verdict_line": "{decision} por {name}, {at}", "reason": "Motivo", "released_answer": "Respuesta entregada a quien preguntó",
        "claimed_by_you": "Tiene este caso asignado hasta las {until}.",
        "claimed_by_other": "Asignado a {name} hasta las {until}: solo esa persona puede decidirlo ahora.",
        "claim": "Asignármelo", "release": "Liberar el caso", "approve": "Aprobar el borrador", "approve_title": "Aprobar",
        "reason_optional": "Comentario (opcional)", "edit_title": "Corregir la respuesta", "answer": "Respuesta corregida",
        "reason_required": "Motivo (obligatorio)", "show_changes": "Ver los cambios", "reset_draft": "Volver al borrador",
        "reject_title": "Rechazar", "reject": "Rechazar: quien preguntó recibe el mensaje de seguridad", "escalate_title": "Escalar",
        "escalate": "Escalar a un revisor sénior", "confirm_title": "Compruebe sus cambios antes de entregar la respuesta",
        "confirm_help": "Las palabras eliminadas aparecen tachadas y las añadidas, subrayadas.",
        "confirm_edit": "Entregar la respuesta corregida", "back_to_edit": "Volver a la corrección",
        "read_only": "Su rol ({role}) permite leer los casos, pero no decidirlos.",
        "decided_title": "Casos decididos", "decided_at": "Decidido", "decision": "Decisión", "no_decided": "Ningún caso decidido coincide.",
        "err_claimed": "Asignado a {name}: solo esa persona puede decidirlo ahora.", "err_already_decided": "Ya decidido: {decision} por {name}.",
        "err_not_the_holder": "Asignado a {name}: solo esa persona o un administrador puede liberarlo.",
        "err_case_not_found": "Ese caso no existe.",
        "err_review_unavailable": "El servicio de revisión no respondió; inténtelo de nuevo en un momento.",
        "err_reason_required": "Indique un motivo.", "err_answer_required": "Escriba la respuesta corregida.",
        "err_too_long": "Demasiado largo: {max} caracteres como máximo.",
        "err_csrf": "Este formulario ha caducado; recargue la página y vuelva a intentarlo.", "err_forbidden": "Su rol no permite esta acción.",
        "err_rate_limited": "Demasiados intentos desde aquí; espere un minuto y vuelva a intentarlo.",
        "err_unknown": "La acción fue rechazada ({code}).", "done_claimed": "Tiene este caso asignado.", "done_released": "Caso liberado.",
        "done_decided": "Decidido: {decision}.", "not_found_title": "No encontrado",
        "units": "s|min|h|d",
        "level.critical": "crítico", "level.high": "alto", "level.medium": "medio", "level.low": "bajo", "level.none": "ninguno",
        "status.pending": "pendiente", "status.claimed": "asignado", "status.escalated": "escalado", "status.approved": "aprobado",
        "status.edited": "corregido", "status.rejected": "rechazado", "status.expired": "caducado",
        "action.parked": "retenido", "action.claimed": "asignado", "action.claim released": "liberado", "action.escalated": "escalado",
        "action.approved": "aprobado", "action.edited": "corregido", "action.rejected": "rechazado", "action.expired": "caducado",
        "cat.pregnancy_breastfeeding": "embarazo, lactancia", "cat.children": "niños", "cat.dosage_overdose": "dosis, sobredosis",
        "cat.contraindications_interactions": "contraindicaciones, interacciones", "cat.self_harm": "autolesión",
        "cat.emergency": "urgencia", "cat.stopping_treatment": "dejar un tratamiento",
        "source.question": "pregunta", "source.answer": "respuesta", "source.evidence": "fuentes",
    },
    "de": {
        "app": "MIRAGE Prüfung", "queue": "Warteschlange", "decided": "Entschieden", "signed_in_as": "Angemeldet als {name} ({role})",
        "sign_out": "Abmelden", "local_mode": "Lokaler Einzelbenutzermodus: Es gibt kein Konto und dieses Gateway lauscht nur auf diesem "
        "Rechner, daher braucht die Seite keine Anmeldung; Sie handeln als lokaler Administrator.",
        "login_title": "Zum Prüfen anmelden", "api_key": "API-Schlüssel", "or": "oder", "account_name": "Kontoname", "password": "Passwort",
        "sign_in": "Anmelden", "login_hint": "Ein Administrator legt Ihr Konto und Ihren Schlüssel mit `mirage users add NAME --role reviewer` an.",
        "bad_key": "Dieser Schlüssel ist unbekannt, abgelaufen oder widerrufen.", "bad_password": "Kontoname oder Passwort falsch.",
        "login_missing": "Geben Sie Ihren API-Schlüssel oder Ihren Kontonamen und Ihr Passwort an.",
        "wrong_role": "Diese Seite ist für Prüfer und Auditoren; das Konto {name} hat die Rolle {role}.",
        "queue_title": "Fälle, die auf Prüfung warten", "queue_summary": "{open} offen, {overdue} über der Frist",
        "all_languages": "Alle Sprachen", "all_categories": "Alle Kategorien", "all_decisions": "Alle Entscheidungen",
        "search": "In den Fragen suchen", "filter": "Filtern", "reviewer": "Prüfer", "level": "Stufe", "question": "Frage",
        "categories": "Kategorien", "language": "Sprache", "age": "Wartezeit", "deadline": "Frist", "holder": "Übernommen von",
        "status": "Status", "nobody": "niemand", "overdue": "überfällig", "escalated_badge": "eskaliert", "no_cases": "Kein Fall passt.",
        "more_cases": "{shown} von {total} angezeigt.",
        "case_title": "Fall {id}", "back_to_queue": "Zurück zur Warteschlange", "held_because": "Zurückgehalten, weil", "findings": "Befunde",
        "category": "Kategorie", "source": "Gefunden in", "triggers": "Auslösende Wörter", "draft": "Antwortentwurf",
        "draft_language": "auf {language}", "notice": "Hinweis", "evidence": "Belege", "document": "Dokument", "page": "Seite {page}",
        "history": "Verlauf", "when": "Wann", "action": "Aktion", "who": "Wer", "detail": "Detail", "verdict": "Entscheidung",
        "verdict_line": "{decision} von {name}, {at}", "reason": "Begründung", "released_answer": "An den Fragenden freigegebene Antwort",
        "claimed_by_you": "Sie haben diesen Fall bis {until} übernommen.",
        "claimed_by_other": "Übernommen von {name} bis {until}: Nur diese Person kann jetzt entscheiden.",
        "claim": "Übernehmen", "release": "Fall zurückgeben", "approve": "Entwurf freigeben", "approve_title": "Freigeben",
        "reason_optional": "Kommentar (optional)", "edit_title": "Antwort korrigieren", "answer": "Korrigierte Antwort",
        "reason_required": "Begründung (Pflicht)", "show_changes": "Änderungen anzeigen", "reset_draft": "Neu vom Entwurf beginnen",
        "reject_title": "Ablehnen", "reject": "Ablehnen: Der Fragende erhält die Sicherheitsnachricht", "escalate_title": "Eskalieren",
        "escalate": "An einen erfahrenen Prüfer eskalieren", "confirm_title": "Prüfen Sie Ihre Änderungen vor der Freigabe",
        "confirm_help": "Entfernte Wörter sind durchgestrichen, hinzugefügte unterstrichen.",
        "confirm_edit": "Korrigierte Antwort freigeben", "back_to_edit": "Zurück zur Korrektur",
        "read_only": "Ihre Rolle ({role}) darf Fälle lesen, aber nicht entscheiden.",
        "decided_title": "Entschiedene Fälle", "decided_at": "Entschieden", "decision": "Entscheidung",
        "no_decided": "Kein entschiedener Fall passt.",
        "err_claimed": "Übernommen von {name}: Nur diese Person kann jetzt entscheiden.",
        "err_already_decided": "Bereits entschieden: {decision} von {name}.",
        "err_not_the_holder": "Übernommen von {name}: Nur diese Person oder ein Administrator kann ihn zurückgeben.",
        "err_case_not_found": "Diesen Fall gibt es nicht.",
        "err_review_unavailable": "Der Prüfdienst hat nicht geantwortet; versuchen Sie es gleich noch einmal.",
        "err_reason_required": "Geben Sie eine Begründung an.", "err_answer_required": "Schreiben Sie die korrigierte Antwort.",
        "err_too_long": "Zu lang: höchstens {max} Zeichen.",
        "err_csrf": "Dieses Formular ist abgelaufen; laden Sie die Seite neu und versuchen Sie es erneut.",
        "err_forbidden": "Ihre Rolle darf das nicht.",
        "err_rate_limited": "Zu viele Versuche von hier; warten Sie eine Minute und versuchen Sie es erneut.",
        "err_unknown": "Die Aktion wurde abgelehnt ({code}).",
        "done_claimed": "Sie haben diesen Fall übernommen.", "done_released": "Fall zurückgegeben.", "done_decided": "Entschieden: {decision}.",
        "not_found_title": "Nicht gefunden",
        "units": "s|min|h|T",
        "level.critical": "kritisch", "level.high": "hoch", "level.medium": "mittel", "level.low": "niedrig", "level.none": "keine",
        "status.pending": "wartend", "status.claimed": "übernommen", "status.escalated": "eskaliert", "status.approved": "freigegeben",
        "status.edited": "korrigiert", "status.rejected": "abgelehnt", "status.expired": "abgelaufen",
        "action.parked": "zurückgehalten", "action.claimed": "übernommen", "action.claim released": "zurückgegeben",
        "action.escalated": "eskaliert", "action.approved": "freigegeben", "action.edited": "korrigiert", "action.rejected": "abgelehnt",
        "action.expired": "abgelaufen",
        "cat.pregnancy_breastfeeding": "Schwangerschaft, Stillzeit", "cat.children": "Kinder", "cat.dosage_overdose": "Dosierung, Überdosis",
        "cat.contraindications_interactions": "Gegenanzeigen, Wechselwirkungen", "cat.self_harm": "Selbstverletzung",
        "cat.emergency": "Notfall", "cat.stopping_treatment": "Absetzen einer Behandlung",
        "source.question": "Frage", "source.answer": "Antwort", "source.evidence": "Belege",
    },
}


def choose_language(accept_language: str | None) -> str:
    """The first of our languages the browser asks for (by q-value, then order); English otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.strip().split("-")[0].lower()
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else "en"


def translator(language: str) -> Callable[..., str]:
    """t(key, **values): the text in `language`; a coded value (level.high) falls back to the code itself."""
    texts = TEXTS.get(language, TEXTS["en"])

    def t(key: str, **values: object) -> str:
        text = texts.get(key) or TEXTS["en"].get(key)
        if text is None:
            return key.partition(".")[2] or key
        return text.format(**values) if values else text

    return t


def age_text(seconds: float, language: str) -> str:
    s, minutes, hours, days = translator(language)("units").split("|")
    if seconds < 60:
        return f"{int(seconds)} {s}"
    if seconds < 3600:
        return f"{int(seconds // 60)} {minutes}"
    if seconds < 86400:
        return f"{int(seconds // 3600)} {hours} {int(seconds % 3600 // 60):02d}"
    return f"{int(seconds // 86400)} {days} {int(seconds % 86400 // 3600)} {hours}"
