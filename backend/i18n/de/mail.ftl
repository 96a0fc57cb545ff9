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

invite-subject = Ihr Backoffice-Konto bei { $tenant }
invite-greeting = Hallo { $name },
invite-intro = für Sie wurde ein Konto im Backoffice von { $tenant } angelegt. Ihr Benutzername ist { $username }.
invite-address = Sie finden das Backoffice unter { $address }.
invite-action = Passwort festlegen
invite-expiry = Der Link funktioniert einmal und { $hours } Stunden lang. Ist er abgelaufen, bitten Sie einen Administrator oder Supervisor um einen neuen.
invite-ignore = Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese E-Mail.

signature = Backoffice, { $tenant }
