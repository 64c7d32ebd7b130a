
            (function(global){
                var UpstreamXBlockI18N = {
                  init: function() {
                    
'use strict';
{
  const globals = this;
  const django = globals.django || (globals.django = {});

  
  django.pluralidx = function(n) {
    const v = (n > 1);
    if (typeof v === 'boolean') {
      return v ? 1 : 0;
    } else {
      return v;
    }
  };
  

  /* gettext library */

  django.catalog = django.catalog || {};
  
  const newcatalog = {
    "%(action)s: %(count)s learner. This is recorded in the audit trail. Go ahead?": [
      "%(action)s : %(count)s apprenant. C'est enregistr\u00e9 dans le journal d'audit. Continuer ?",
      "%(action)s : %(count)s apprenants. C'est enregistr\u00e9 dans le journal d'audit. Continuer ?"
    ],
    "%(author)s, %(date)s": "%(author)s, %(date)s",
    "%(author)s, %(when)s": "%(author)s, %(when)s",
    "%(completed)s of %(count)s activity complete": [
      "%(completed)s activit\u00e9 termin\u00e9e sur %(count)s",
      "%(completed)s activit\u00e9s termin\u00e9es sur %(count)s"
    ],
    "%(count)s action recorded. Page %(page)s of %(pages)s.": [
      "%(count)s action enregistr\u00e9e. Page %(page)s sur %(pages)s.",
      "%(count)s actions enregistr\u00e9es. Page %(page)s sur %(pages)s."
    ],
    "%(count)s already so": [
      "%(count)s d\u00e9j\u00e0 dans cet \u00e9tat",
      "%(count)s d\u00e9j\u00e0 dans cet \u00e9tat"
    ],
    "%(count)s change": [
      "%(count)s modification",
      "%(count)s modifications"
    ],
    "%(count)s change made": [
      "%(count)s modification faite",
      "%(count)s modifications faites"
    ],
    "%(count)s changed": [
      "%(count)s modifi\u00e9",
      "%(count)s modifi\u00e9s"
    ],
    "%(count)s contribution checked on the forge so far.": [
      "%(count)s contribution v\u00e9rifi\u00e9e sur la forge jusqu'ici.",
      "%(count)s contributions v\u00e9rifi\u00e9es sur la forge jusqu'ici."
    ],
    "%(count)s error": [
      "%(count)s erreur",
      "%(count)s erreurs"
    ],
    "%(count)s failed": [
      "%(count)s en \u00e9chec",
      "%(count)s en \u00e9chec"
    ],
    "%(count)s learner": [
      "%(count)s apprenant",
      "%(count)s apprenants"
    ],
    "%(count)s learner matches. Page %(page)s of %(pages)s.": [
      "%(count)s apprenant correspond. Page %(page)s sur %(pages)s.",
      "%(count)s apprenants correspondent. Page %(page)s sur %(pages)s."
    ],
    "%(count)s learner selected on this page.": [
      "%(count)s apprenant s\u00e9lectionn\u00e9 sur cette page.",
      "%(count)s apprenants s\u00e9lectionn\u00e9s sur cette page."
    ],
    "%(count)s line with errors skipped": [
      "%(count)s ligne en erreur ignor\u00e9e",
      "%(count)s lignes en erreur ignor\u00e9es"
    ],
    "%(count)s line without an action was left as it is.": [
      "%(count)s ligne sans action a \u00e9t\u00e9 laiss\u00e9e telle quelle.",
      "%(count)s lignes sans action ont \u00e9t\u00e9 laiss\u00e9es telles quelles."
    ],
    "%(count)s target project": [
      "%(count)s projet cible",
      "%(count)s projets cibles"
    ],
    "%(days)s day": [
      "%(days)s jour",
      "%(days)s jours"
    ],
    "%(days)s day longer than usual": [
      "%(days)s jour de plus que d'habitude",
      "%(days)s jours de plus que d'habitude"
    ],
    "%(title)s (opens on the forge in a new tab)": "%(title)s (s'ouvre sur la forge dans un nouvel onglet)",
    "%(title)s, accepted by a mentor: %(reason)s": "%(title)s, accept\u00e9e par un mentor : %(reason)s",
    "%(username)s on %(host)s (%(method)s)": "%(username)s sur %(host)s (%(method)s)",
    "%(username)s on %(host)s is no longer verified.": "%(username)s sur %(host)s n'est plus v\u00e9rifi\u00e9.",
    "(edited)": "(modifi\u00e9e)",
    "(title not known yet)": "(titre encore inconnu)",
    "Accept a contribution of %(username)s": "Accepter une contribution de %(username)s",
    "Accepted for %(username)s.": "Accept\u00e9e pour %(username)s.",
    "Accepted for %(username)s: this activity is now complete for them.": "Accept\u00e9e pour %(username)s : cette activit\u00e9 est maintenant termin\u00e9e pour cette personne.",
    "Actions for %(username)s": "Actions pour %(username)s",
    "Annotate %(username)s": "Annoter %(username)s",
    "Annotation deleted.": "Annotation supprim\u00e9e.",
    "Annotation for %(username)s": "Annotation pour %(username)s",
    "Annotation saved for %(username)s.": "Annotation enregistr\u00e9e pour %(username)s.",
    "Awarded on %(date)s": "Valid\u00e9 le %(date)s",
    "Checked %(when)s": "V\u00e9rifi\u00e9e %(when)s",
    "Checking the file\u2026": "V\u00e9rification du fichier\u2026",
    "Checking\u2026": "V\u00e9rification\u2026",
    "Checks": "V\u00e9rifications",
    "Choose a CSV file first.": "Choisissez d'abord un fichier CSV.",
    "Confirm": "Confirmer",
    "Confirm the mentor's proposal of %(title)s": "Confirmer la proposition du mentor pour %(title)s",
    "Confirmed: it counts for %(username)s.": "Confirm\u00e9e : elle compte pour %(username)s.",
    "Could not load the learners: %(message)s": "Impossible de charger les apprenants : %(message)s",
    "Could not reach the course server.": "Impossible de joindre le serveur du cours.",
    "Could not reach the course server. Retrying\u2026": "Le serveur du cours ne r\u00e9pond pas. Nouvel essai\u2026",
    "Could not reach the course server. Try again.": "Impossible de joindre le serveur du cours. R\u00e9essayez.",
    "Could not save. Please try again.": "L'enregistrement a \u00e9chou\u00e9. Veuillez r\u00e9essayer.",
    "Counted for your grade": "Compt\u00e9e pour votre note",
    "Delete": "Supprimer",
    "Delete this annotation by %(author)s": "Supprimer cette annotation de %(author)s",
    "Delete this annotation?": "Supprimer cette annotation ?",
    "Described by a mentor": "D\u00e9crite par un mentor",
    "Done: %(learners)s, %(changed)s, %(skipped)s, %(failed)s.": "Termin\u00e9 : %(learners)s, %(changed)s, %(skipped)s, %(failed)s.",
    "Dry run: %(changes)s, %(errors)s. Nothing was changed.": "Essai \u00e0 blanc : %(changes)s, %(errors)s. Rien n'a \u00e9t\u00e9 modifi\u00e9.",
    "Edit": "Modifier",
    "Edit this annotation by %(author)s": "Modifier cette annotation de %(author)s",
    "For the learner": "Pour l'apprenant",
    "From your mentor": "De votre mentor",
    "Give a reason.": "Donnez une raison.",
    "Give the address of the contribution where you posted your code.": "Donnez l'adresse de la contribution o\u00f9 vous avez publi\u00e9 votre code.",
    "Give the contribution's address or describe it.": "Donnez l'adresse de la contribution ou d\u00e9crivez-la.",
    "Imported: %(changes)s, %(errors)s.": "Import\u00e9 : %(changes)s, %(errors)s.",
    "Learners: %(registered)s \u00b7 In progress: %(pending)s \u00b7 Completed every activity started: %(accepted)s \u00b7 Need a new contribution: %(rejected)s \u00b7 Stuck: %(stuck)s": "Apprenants : %(registered)s \u00b7 En cours : %(pending)s \u00b7 Ont termin\u00e9 chaque activit\u00e9 commenc\u00e9e : %(accepted)s \u00b7 Doivent faire une nouvelle contribution : %(rejected)s \u00b7 Bloqu\u00e9s : %(stuck)s",
    "Loading learners\u2026": "Chargement des apprenants\u2026",
    "Loading the target projects\u2026": "Chargement des projets cibles\u2026",
    "Longer than usual": "Plus long que d'habitude",
    "Mentors only": "Mentors uniquement",
    "New note from your mentor %(author)s: %(text)s": "Nouvelle note de votre mentor %(author)s : %(text)s",
    "Next step:": "Prochaine \u00e9tape :",
    "No annotations.": "Aucune annotation.",
    "No learner matches these filters.": "Aucun apprenant ne correspond \u00e0 ces filtres.",
    "No new account was verified.": "Aucun nouveau compte n'a \u00e9t\u00e9 v\u00e9rifi\u00e9.",
    "Not accepted: %(message)s": "Non accept\u00e9e : %(message)s",
    "Not beyond the usual wait": "Pas au-del\u00e0 de l'attente habituelle",
    "Not checked yet": "Pas encore v\u00e9rifi\u00e9e",
    "Not enough recent contributions": "Pas assez de contributions r\u00e9centes",
    "Not met:": "Non satisfait :",
    "Not waiting": "Pas en attente",
    "Notes from your mentor": "Notes de votre mentor",
    "Nothing registered": "Rien d'enregistr\u00e9",
    "Nothing was imported: %(count)s line has errors. Fix it, or apply the good lines only.": [
      "Rien n'a \u00e9t\u00e9 import\u00e9 : %(count)s ligne comporte des erreurs. Corrigez-la, ou n'appliquez que les bonnes lignes.",
      "Rien n'a \u00e9t\u00e9 import\u00e9 : %(count)s lignes comportent des erreurs. Corrigez-les, ou n'appliquez que les bonnes lignes."
    ],
    "Passed:": "Valid\u00e9 :",
    "Preparing the file\u2026": "Pr\u00e9paration du fichier\u2026",
    "Proposed for %(username)s: it counts once course staff confirm it.": "Propos\u00e9e pour %(username)s : elle compte d\u00e8s que l'\u00e9quipe p\u00e9dagogique la confirme.",
    "Registered: %(registered)s \u00b7 In progress: %(pending)s \u00b7 Completed: %(accepted)s \u00b7 Need a new contribution: %(rejected)s \u00b7 Stuck: %(stuck)s": "Inscrits : %(registered)s \u00b7 En cours : %(pending)s \u00b7 Termin\u00e9 : %(accepted)s \u00b7 Nouvelle contribution n\u00e9cessaire : %(rejected)s \u00b7 Bloqu\u00e9s : %(stuck)s",
    "Registered: %(title)s.": "Enregistr\u00e9e : %(title)s.",
    "Registering\u2026": "Enregistrement\u2026",
    "Remove": "Supprimer",
    "Remove %(username)s on %(host)s": "Supprimer %(username)s sur %(host)s",
    "Remove %(username)s on %(host)s from your verified accounts? Its contributions will not count until you verify it again.": "Retirer %(username)s sur %(host)s de vos comptes v\u00e9rifi\u00e9s ? Ses contributions ne compteront plus tant que vous ne l'aurez pas v\u00e9rifi\u00e9 \u00e0 nouveau.",
    "Repository: %(repository)s #%(number)s": "D\u00e9p\u00f4t : %(repository)s n\u00ba %(number)s",
    "Saved.": "Enregistr\u00e9.",
    "Say why you accept it.": "Dites pourquoi vous l'acceptez.",
    "Say why you withdraw it.": "Dites pourquoi vous la retirez.",
    "Select %(username)s": "S\u00e9lectionner %(username)s",
    "Select learners first.": "S\u00e9lectionnez d'abord des apprenants.",
    "Select the %(count)s matching learner": [
      "S\u00e9lectionner l'apprenant correspondant (%(count)s)",
      "S\u00e9lectionner les %(count)s apprenants correspondants"
    ],
    "Sorted by %(column)s, %(direction)s.": "Tri\u00e9 par %(column)s, %(direction)s.",
    "Starting\u2026": "D\u00e9marrage\u2026",
    "Stuck in an activity": "Bloqu\u00e9 dans une activit\u00e9",
    "Stuck: %(reason)s": "Bloqu\u00e9 : %(reason)s",
    "The %(count)s learner matching the filters is selected.": [
      "L'apprenant (%(count)s) correspondant aux filtres est s\u00e9lectionn\u00e9.",
      "Les %(count)s apprenants correspondant aux filtres sont s\u00e9lectionn\u00e9s."
    ],
    "The export failed. Try again, or tell the site's operators.": "L'export a \u00e9chou\u00e9. R\u00e9essayez, ou pr\u00e9venez les op\u00e9rateurs du site.",
    "The file is larger than an import takes (8 MB, 5000 lines with an action): split it.": "Le fichier est plus gros qu'un import ne l'accepte (8 Mo, 5000 lignes avec une action) : d\u00e9coupez-le.",
    "The file is ready: %(count)s contribution.": [
      "Le fichier est pr\u00eat : %(count)s contribution.",
      "Le fichier est pr\u00eat : %(count)s contributions."
    ],
    "The learner's work in general": "Le travail de l'apprenant en g\u00e9n\u00e9ral",
    "The mentor's acceptance was withdrawn.": "L'acceptation du mentor a \u00e9t\u00e9 retir\u00e9e.",
    "Timeline of %(title)s": "Chronologie de %(title)s",
    "Verified: %(username)s on %(host)s. Your contributions are checked again with it.": "V\u00e9rifi\u00e9 : %(username)s sur %(host)s. Vos contributions sont v\u00e9rifi\u00e9es \u00e0 nouveau avec ce compte.",
    "Verify with %(forge)s (opens in a new tab)": "V\u00e9rifier avec %(forge)s (s'ouvre dans un nouvel onglet)",
    "Waiting %(days)s day": [
      "En attente depuis %(days)s jour",
      "En attente depuis %(days)s jours"
    ],
    "Waiting:": "En attente :",
    "Why course staff withdraw %(title)s": "Pourquoi l'\u00e9quipe du cours retire %(title)s",
    "Withdraw": "Retirer",
    "Withdraw %(title)s": "Retirer %(title)s",
    "Withdraw the acceptance of %(title)s": "Retirer l'acceptation de %(title)s",
    "Withdraw this contribution?": "Retirer cette contribution ?",
    "Withdrawn: %(title)s.": "Retir\u00e9e : %(title)s.",
    "Working: %(done)s of %(learners)s done, %(changed)s, %(skipped)s.": "En cours : %(done)s sur %(learners)s trait\u00e9s, %(changed)s, %(skipped)s.",
    "Write the annotation's text.": "\u00c9crivez le texte de l'annotation.",
    "Writing the file: %(count)s contribution so far\u2026": [
      "\u00c9criture du fichier : %(count)s contribution pour l'instant\u2026",
      "\u00c9criture du fichier : %(count)s contributions pour l'instant\u2026"
    ],
    "You can check again %(when)s.": "Vous pourrez v\u00e9rifier \u00e0 nouveau %(when)s.",
    "You have not registered a contribution yet.": "Vous n'avez pas encore enregistr\u00e9 de contribution.",
    "You will get these emails.": "Vous recevrez ces e-mails.",
    "You will not get these emails.": "Vous ne recevrez pas ces e-mails.",
    "Your ownership code is %(code)s: put it in the description of your contribution so that we know it is yours.": "Votre code de propri\u00e9t\u00e9 est %(code)s : mettez-le dans la description de votre contribution pour que nous sachions qu'elle est \u00e0 vous.",
    "ascending": "ordre croissant",
    "being checked now": "en cours de v\u00e9rification",
    "code in a description": "code dans une description",
    "code posted in a comment": "code publi\u00e9 en commentaire",
    "date not known": "date inconnue",
    "descending": "ordre d\u00e9croissant",
    "done": "fait",
    "linked to your profile": "li\u00e9 \u00e0 votre profil",
    "never": "jamais",
    "next check %(when)s": "prochaine v\u00e9rification %(when)s",
    "no change": "aucun changement",
    "no more checks needed": "plus besoin de v\u00e9rifier",
    "not yet": "pas encore",
    "signed in on the forge": "connexion sur la forge",
    "vouched for by your course team": "garanti par l'\u00e9quipe du cours"
  };
  for (const key in newcatalog) {
    django.catalog[key] = newcatalog[key];
  }
  

  if (!django.jsi18n_initialized) {
    django.gettext = function(msgid) {
      const value = django.catalog[msgid];
      if (typeof value === 'undefined') {
        return msgid;
      } else {
        return (typeof value === 'string') ? value : value[0];
      }
    };

    django.ngettext = function(singular, plural, count) {
      const value = django.catalog[singular];
      if (typeof value === 'undefined') {
        return (count == 1) ? singular : plural;
      } else {
        return value.constructor === Array ? value[django.pluralidx(count)] : value;
      }
    };

    django.gettext_noop = function(msgid) { return msgid; };

    django.pgettext = function(context, msgid) {
      let value = django.gettext(context + '\x04' + msgid);
      if (value.includes('\x04')) {
        value = msgid;
      }
      return value;
    };

    django.npgettext = function(context, singular, plural, count) {
      let value = django.ngettext(context + '\x04' + singular, context + '\x04' + plural, count);
      if (value.includes('\x04')) {
        value = django.ngettext(singular, plural, count);
      }
      return value;
    };

    django.interpolate = function(fmt, obj, named) {
      if (named) {
        return fmt.replace(/%\(\w+\)s/g, function(match){return String(obj[match.slice(2,-2)])});
      } else {
        return fmt.replace(/%s/g, function(match){return String(obj.shift())});
      }
    };


    /* formatting library */

    django.formats = {
    "DATETIME_FORMAT": "j F Y H:i",
    "DATETIME_INPUT_FORMATS": [
      "%d/%m/%Y %H:%M:%S",
      "%d/%m/%Y %H:%M:%S.%f",
      "%d/%m/%Y %H:%M",
      "%Y-%m-%d %H:%M:%S",
      "%Y-%m-%d %H:%M:%S.%f",
      "%Y-%m-%d %H:%M",
      "%Y-%m-%d"
    ],
    "DATE_FORMAT": "j F Y",
    "DATE_INPUT_FORMATS": [
      "%d/%m/%Y",
      "%d/%m/%y",
      "%Y-%m-%d"
    ],
    "DECIMAL_SEPARATOR": ",",
    "FIRST_DAY_OF_WEEK": 1,
    "MONTH_DAY_FORMAT": "j F",
    "NUMBER_GROUPING": 3,
    "SHORT_DATETIME_FORMAT": "d/m/Y H:i",
    "SHORT_DATE_FORMAT": "d/m/Y",
    "THOUSAND_SEPARATOR": "\u00a0",
    "TIME_FORMAT": "H:i",
    "TIME_INPUT_FORMATS": [
      "%H:%M:%S",
      "%H:%M:%S.%f",
      "%H:%M"
    ],
    "YEAR_MONTH_FORMAT": "F Y"
  };

    django.get_format = function(format_type) {
      const value = django.formats[format_type];
      if (typeof value === 'undefined') {
        return format_type;
      } else {
        return value;
      }
    };

    /* add to global namespace */
    globals.pluralidx = django.pluralidx;
    globals.gettext = django.gettext;
    globals.ngettext = django.ngettext;
    globals.gettext_noop = django.gettext_noop;
    globals.pgettext = django.pgettext;
    globals.npgettext = django.npgettext;
    globals.interpolate = django.interpolate;
    globals.get_format = django.get_format;

    django.jsi18n_initialized = true;
  }
};


                  }
                };
                UpstreamXBlockI18N.init();
                global.UpstreamXBlockI18N = UpstreamXBlockI18N;
            }(this));
        