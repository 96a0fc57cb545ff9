# Mail texts in German. Every message here must exist in every other
# language folder too (a unit test checks it).

reset-subject = Passwort für { $tenant } zurücksetzen
reset-greeting = Hallo { $name },
reset-intro = jemand, hoffentlich Sie, möchte ein neues Passwort für Ihr Backoffice-Konto { $username } bei { $tenant } festlegen.
reset-action = Neues Passwort festlegen
reset-expiry = Der Link funktioniert einmal und { $minutes } Minuten lang.
reset-ignore = Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.

changed-subject = Ihr Passwort für { $tenant } wurde geändert
changed-greeting = Hallo { $name },
changed-body = das Passwort Ihres Backoffice-Kontos { $username } bei { $tenant } wurde am { $when } geändert. Alle Sitzungen des Kontos wurden abgemeldet.
changed-body-own = das Passwort Ihres Backoffice-Kontos { $username } bei { $tenant } wurde am { $when } in den Kontoeinstellungen geändert. Alle anderen Sitzungen des Kontos wurden abgemeldet.
changed-warning = Wenn Sie das nicht waren, wenden Sie sich sofort an einen Administrator oder Supervisor von { $tenant }.

signature = Backoffice, { $tenant }
