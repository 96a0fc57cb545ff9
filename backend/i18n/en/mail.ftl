# Mail texts in English. Every message here must exist in every other
# language folder too (a unit test checks it).

reset-subject = Reset your password for { $tenant }
reset-greeting = Hello { $name },
reset-intro = someone, hopefully you, asked to set a new password for your Backoffice account { $username } at { $tenant }.
reset-action = Set a new password
reset-expiry = The link works once and for { $minutes } minutes.
reset-ignore = If you did not ask for this, ignore this email: your password stays as it is.

changed-subject = Your password for { $tenant } was changed
changed-greeting = Hello { $name },
changed-body = the password of your Backoffice account { $username } at { $tenant } was changed on { $when }. Every session of the account has been signed out.
changed-body-own = the password of your Backoffice account { $username } at { $tenant } was changed in Account settings on { $when }. Every other session of the account has been signed out.
changed-warning = If you did not do this, contact an administrator or supervisor of { $tenant } at once.

invite-subject = Your Backoffice account at { $tenant }
invite-greeting = Hello { $name },
invite-intro = an account has been created for you in the Backoffice of { $tenant }. Your username is { $username }.
invite-address = You will find the Backoffice at { $address }.
invite-action = Choose your password
invite-expiry = The link works once and for { $hours } hours. If it has expired, ask an administrator or supervisor to send a new one.
invite-ignore = If you did not expect this invitation, ignore this email.

signature = Backoffice, { $tenant }
