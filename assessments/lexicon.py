"""Hand-written customer-service lexicon used to build rubrics and mark free-text answers.

Two tables, both organised around *concepts* rather than around any particular seed sentence, so
that they carry over to new topic documents in the same domain (customer service, retention, CRM,
feedback, complaints, communication, satisfaction measurement, teamwork, admin processes):

* ``WORD_CLASSES``: single words that mean the same thing in this domain ("client" ≈ "customer",
  "log" ≈ "track"). Each class has an id starting with "@". The marker expands every word of an
  answer into its classes, which is what lets everyday wording meet examiner wording.
* ``CONCEPTS``: ideas an examiner gives credit for ("contact management", "Net Promoter Score").
  Each has a label, one or more categories (what kind of thing it is: a CRM feature, a retention
  strategy…) and phrases. A phrase is matched word by word through the word classes, in any
  order, within a short window of the same sentence, so "logs every call and email" meets
  "track interactions".

Rules for editing (the tables are reviewed by people, not generated):

* A phrase must say the idea on its own. Never add a bare generic word ("details", "system").
* Do not add the *name of a category* as an instance of it: "segments" is not a segment and
  "benefits" is not a benefit, so an answer that parrots the question earns nothing.
* A phrase starting with "~" is polarity-free: negating it does not withdraw credit, because the
  negated form still talks about the idea ("customers don't leave" is still about retention).
* Keep synonyms general. Never copy a learner's answer in here to make a test pass.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "CATEGORY_CUES",
    "LEXICON_SHA256",
    "CONCEPTS",
    "FUNCTION_WORDS",
    "STOPWORDS",
    "WORD_CLASSES",
    "GENERIC_POINT_WORDS",
    "CompiledPhrase",
    "Concept",
    "PhraseMatch",
    "SpellingCorrector",
    "Token",
    "base_corrector",
    "bounded_edit_distance",
    "build_index",
    "canons_of",
    "compile_phrase",
    "compiled_concepts",
    "concept_by_key",
    "concepts_by_category",
    "concepts_in_text",
    "find_phrase",
    "lexicon_vocabulary",
    "stem",
    "tokenize",
]


@dataclass(frozen=True)
class Concept:
    """An idea an examiner credits: ``key`` (stable id), ``label``, ``categories``, ``phrases``."""

    key: str
    label: str
    categories: tuple[str, ...]
    phrases: tuple[str, ...]


# Words dropped from phrases and ignored when matching: they carry no idea on their own.
STOPWORDS: frozenset[str] = frozenset(
    """
    a an the of to for and or nor in on at with by is are be been being was were am it its
    it's their they them this that these those as from into about than then there here also
    very can could will would should may might must do does did has have had i you we he she me
    us our your my his her what which who whom whose how when where why all any some each
    every such s e g eg etc
    """.split()
)

# Words that give a sentence its grammar. An answer made almost entirely of other words is a
# keyword list, not an explanation.
FUNCTION_WORDS: frozenset[str] = STOPWORDS | frozenset(
    """
    so because if but not no never because since while although though whether after before
    until unless yet just only more most less least much many few lot lots up down out off
    over under again once both either neither too well get gets got getting make makes made
    making let lets help helps keep keeps give gives go goes going way ways thing things
    one ones them themselves itself someone something anything everything nothing people
    """.split()
)

# Canonical class id -> words. Only single words; multi-word ideas belong in CONCEPTS.
WORD_CLASSES: dict[str, tuple[str, ...]] = {
    "@customer": (
        "customer client buyer shopper consumer patron guest diner visitor caller user "
        "purchaser regular regulars passenger member audience"
    ).split(),
    "@business": (
        "business company firm organisation organization brand retailer restaurant cafe café "
        "hotel enterprise supplier branch employer provider"
    ).split(),
    "@staff": (
        "staff employee worker colleague team personnel assistant agent adviser advisor "
        "representative waiter waitress crew staffing workforce people"
    ).split(),
    "@retain": "retain retention retained".split(),
    "@loyal": "loyal loyalty devoted faithful".split(),
    "@satisfied": (
        "satisfaction satisfy satisfied satisfying happy happier happiness pleased content "
        "delighted glad contented"
    ).split(),
    "@unhappy": "unhappy dissatisfied dissatisfaction disappointed annoyed upset angry".split(),
    "@feedback": (
        "feedback comment opinion review suggestion testimonial compliment view verdict"
    ).split(),
    "@complaint": "complaint complain grievance grumble gripe moan".split(),
    "@survey": "survey questionnaire poll".split(),
    "@track": "track log record monitor trace capture register".split(),
    "@interaction": (
        "interaction interact conversation call phone email e-mail chat message enquiry "
        "inquiry correspondence touchpoint ring"
    ).split(),
    "@store": "store save file remember stored".split(),
    "@detail": "detail information info data particulars profile record".split(),
    "@history": "history past previous earlier".split(),
    "@analyse": (
        "analyse analysis analytics analyst examine study interpret evaluate investigate "
        "scrutinise insight dashboard trend pattern statistic stats"
    ).split(),
    "@report": "report reporting dashboard chart".split(),
    "@personalise": (
        "personalise personalisation personalised personal personally tailor tailored "
        "customise customised bespoke individual individualise individually"
    ).split(),
    "@proactive": "proactive proactively anticipate pre-empt preempt before ahead".split(),
    "@communicate": (
        "communicate communication contact inform update tell notify reach talk speak "
        "email message call"
    ).split(),
    "@resolve": "resolve resolution solve solution fix sort settle rectify remedy".split(),
    "@change": (
        "change adjust adjustment alter improve improvement fix update modify adapt introduce "
        "add upgrade tweak redesign revise amend enhance overhaul hire extend"
    ).split(),
    "@increase": "increase raise boost grow growth rise more higher up lift greater".split(),
    "@decrease": "reduce cut lower decrease fall drop less fewer shrink cheaper".split(),
    "@money": (
        "money revenue profit sales income spend spending cash turnover earn earnings takings "
        "profitability"
    ).split(),
    "@spend": "spend buy purchase pay order shop".split(),
    "@value": "value worth valuable".split(),
    "@recommend": (
        "recommend recommendation refer referral advocate promoter promote word-of-mouth"
    ).split(),
    "@question": "question questioning ask query enquire probe".split(),
    "@listen": "listen listening hear heard attention attentive attentively".split(),
    "@observe": "observe observing observation watch notice look spot read".split(),
    "@body": "body facial expression gesture posture eye nonverbal non-verbal".split(),
    "@apologise": "apologise apology sorry regret".split(),
    "@remedy": (
        "refund replacement replace exchange swap compensation compensate voucher discount "
        "goodwill reimburse"
    ).split(),
    "@reliable": "reliable reliability dependable consistent consistency punctual".split(),
    "@honest": "honest honesty transparent transparency truthful upfront open".split(),
    "@trust": "trust confidence faith credibility rely belief".split(),
    "@demographic": "demographic age gender income occupation ethnicity household".split(),
    "@geographic": "geographic location region area postcode local urban rural city".split(),
    "@behaviour": "behaviour behavior habit usage frequency".split(),
    "@preference": "preference prefer taste want wish favourite choice enjoy".split(),
    "@process": (
        "process procedure policy workflow routine protocol guideline script step standard"
    ).split(),
    "@technology": (
        "technology tech software computer app application database crm platform digital "
        "itsys system"
    ).split(),
    "@software": "software system tool program programme app database platform".split(),
    "@training": (
        "training train trained coach coached coaching teach taught induction mentor "
        "skilled knowledgeable qualified well-trained"
    ).split(),
    "@premises": (
        "premises building shop store branch layout venue site office reception decor "
        "facility seating ramp aisle signage sign environment"
    ).split(),
    "@website": "website web online app portal webpage internet site".split(),
    "@journey": "journey touchpoint stage path".split(),
    "@checkout": "checkout till payment pay counter".split(),
    "@engage": "engage engagement interact involve connect participate".split(),
    "@experience": "experience experiences".split(),
    "@success": (
        "success successful profit profitable growth grow revenue sales thrive competitive"
    ).split(),
    "@reputation": "reputation image brand".split(),
    "@cost": "cost expense budget cheap cheaply marketing advertising".split(),
    "@new": "new attract attracting acquisition acquire prospect".split(),
    "@measure": (
        "measure measurement metric score rate rating scale kpi target gauge figure percentage "
        "percent"
    ).split(),
    "@quick": "quick quickly fast prompt promptly speedy rapid swift immediately instantly".split(),
    "@frequent": "regularly regular often frequently routinely monthly weekly".split(),
    "@relationship": "relationship rapport bond connection partnership relations".split(),
    "@longterm": "long-term lifetime years lasting ongoing longer life".split(),
    "@friendly": (
        "friendly nice polite pleasant courteous kind cheerful smile smiling warm welcoming"
    ).split(),
    "@negative": "negative bad harmful damaging unwelcome nuisance annoying".split(),
    "@strategy": "strategy strategic approach plan philosophy culture".split(),
    "@only": "only just solely merely simply purely exclusively alone".split(),
    "@always": (
        "always automatically guarantee guaranteed ensure definitely certainly inevitably "
        "invariably enough"
    ).split(),
    "@need": "need requirement essential necessity necessary".split(),
    "@want": "want desire wish luxury desirable".split(),
    "@agree": "agree obey comply whatever everything subservient".split(),
    "@empathy": "empathy empathise empathetic sympathise sympathy understanding".split(),
    "@name": "name".split(),
    "@reward": "reward rewards points perk bonus incentive".split(),
    "@offer": "offer deal promotion discount voucher coupon".split(),
    "@escalate": "escalate escalation manager supervisor".split(),
    "@segment": "segment segmentation group category".split(),
    "@infrastructure": "infrastructure".split(),
    "@collect": "collect gather gathering obtain".split(),
    "@timely": "time punctual deadline late delay delays".split(),
    "@promise": "promise commitment pledge".split(),
    "@style": "style tone manner approach".split(),
    "@clear": "clear plain simple jargon-free".split(),
    "@colleague": "colleague co-worker coworker teammate team-mate".split(),
    "@share": "share pass swap exchange".split(),
    "@knowledge": "knowledge information info know-how expertise tips".split(),
    "@wait": "wait waiting queue hold delay".split(),
    "@reply": "reply respond response answer".split(),
    "@slow": "slow slowly late lengthy".split(),
    "@file": "file filing archive folder".split(),
    "@schedule": "schedule scheduling diary calendar rota appointment booking".split(),
    "@accurate": "accurate accuracy correct error mistake typo".split(),
    "@secure": "secure security confidential confidentiality private privacy".split(),
}

# Words too general to name a concept on their own in examiner wording ("systems" in "CRM
# systems", "building" in "building loyalty"); they still count inside longer phrases.
GENERIC_POINT_WORDS: frozenset[str] = frozenset(
    """
    system systems building build builds data delivery time times design change changes
    improve team people customer customers service services process value experience
    engage ask like want work
    """.split()
)

# Phrases that, found in a marking point, say which *category* of concept the point asks for.
# Checked as lower-case regular expressions on the point text.
CATEGORY_CUES: tuple[tuple[str, str], ...] = (
    (r"features? of (?:a |the )?(?:crm|customer relationship management)", "crm_feature"),
    (r"benefits? of (?:customer )?(?:loyalty|retention|loyal customers)", "loyalty_benefit"),
    (r"retention strateg", "retention_strategy"),
    (r"strateg\w* (?:to|for) (?:retain|keep|retaining|keeping)", "retention_strategy"),
    (
        r"(?:methods?|ways?|tools?) (?:for|of) measuring (?:customer )?satisfaction",
        "satisfaction_measure",
    ),
    (r"measurement tools?", "satisfaction_measure"),
    (r"handl(?:e|ing) complaints", "complaint_response"),
    (r"complaint handling (?:techniques|steps|methods|procedures)", "complaint_response"),
    (r"strateg\w* to build (?:customer )?confidence", "confidence_strategy"),
    (r"methods? for interacting", "communication_technique"),
    (r"communication (?:techniques|skills|methods)", "communication_technique"),
    (r"actions? that (?:foster|build|develop)", "relationship_action"),
    (
        r"strateg\w* to (?:develop|build) (?:a )?(?:productive |long-term )?relationship",
        "relationship_action",
    ),
    (r"target market segments?", "segment_instance"),
    (r"(?:methods?|ways?) (?:of|for) collecting (?:customer )?feedback", "feedback_collection"),
    (r"feedback collection methods?", "feedback_collection"),
    (r"barriers? to (?:effective )?communication", "communication_barrier"),
    (r"benefits? of (?:good |effective )?teamwork", "teamwork_benefit"),
    (r"(?:ways?|actions?) (?:to|that) (?:support|improve) teamwork", "teamwork_action"),
    (r"administrative (?:tasks|processes|duties)|admin (?:tasks|processes)", "admin_task"),
)


def _c(key: str, label: str, categories: str, phrases: str) -> Concept:
    cats = tuple(c for c in categories.split() if c)
    return Concept(key, label, cats, tuple(p.strip() for p in phrases.split(";") if p.strip()))


CONCEPTS: tuple[Concept, ...] = (
    # --- CRM features -------------------------------------------------------------------------
    _c(
        "contact_management",
        "contact management",
        "crm_feature",
        "contact management; contact details; contact information; customer details; "
        "customer information; customer records; customer profiles; address book; "
        "contact list; phone numbers; personal details; store customer details; "
        "customer database",
    ),
    _c(
        "interaction_tracking",
        "interaction tracking",
        "crm_feature",
        "interaction tracking; track interactions; interaction history; customer history; "
        "communication history; purchase history; past orders; past purchases; "
        "previous orders; track calls; record conversations; history of contact",
    ),
    _c(
        "data_analysis",
        "data analysis",
        "crm_feature",
        "data analysis; analyse data; analytics; reports; dashboards; buying trends; "
        "spot trends; sales figures; customer insights; buying patterns",
    ),
    _c(
        "sales_tracking",
        "sales pipeline management",
        "crm_feature",
        "sales pipeline; track sales; sales tracking; lead management; sales opportunities; "
        "sales forecasting",
    ),
    _c(
        "marketing_automation",
        "marketing automation",
        "crm_feature",
        "marketing automation; automated emails; automatic emails; email campaigns; "
        "marketing emails; targeted marketing; mailing list; newsletters",
    ),
    _c(
        "task_management",
        "task and reminder management",
        "crm_feature",
        "task management; reminders; remind staff; follow-up tasks; scheduling; "
        "appointments; alerts; calendar",
    ),
    _c(
        "case_management",
        "case and ticket management",
        "crm_feature",
        "ticketing; support tickets; case management; help desk; log complaints",
    ),
    # --- retention and value ------------------------------------------------------------------
    _c(
        "retention",
        "customer retention",
        "outcome",
        "retention; retain customers; customer loyalty; loyal; loyalty; keep customers; "
        "stay; come back; coming back; return; returning; repeat business; repeat custom; "
        "repeat purchases; repeat customers; regulars; hold on to customers; keep buying; "
        "stick with; win back; long-term customers; ~churn; ~leave; ~defect; "
        "~go elsewhere; ~switch competitor; ~lose customers",
    ),
    _c(
        "acquisition",
        "customer acquisition",
        "outcome",
        "customer acquisition; acquire customers; attract new customers; new customers; "
        "win new customers; gain new customers; advertising",
    ),
    _c(
        "clv",
        "customer lifetime value",
        "outcome",
        "customer lifetime value; lifetime value; clv; ltv; spend over time; spend longer; "
        "spend years; money years; worth more; spend more; more money; total spend; "
        "value over time; value of a customer",
    ),
    _c(
        "satisfaction",
        "customer satisfaction",
        "outcome",
        "customer satisfaction; satisfaction; satisfied; happy customers; happy; pleased; "
        "delighted; ~unhappy; ~dissatisfied",
    ),
    _c(
        "experience",
        "customer experience",
        "outcome",
        "customer experience; experience; enjoy visit; enjoy; smooth journey",
    ),
    _c(
        "success",
        "organisational success",
        "outcome",
        "organisational success; success; profit; revenue; sales; growth; grow; earn money; "
        "more money; reputation; market share; competitive advantage; business growth",
    ),
    _c(
        "engagement",
        "customer engagement",
        "outcome",
        "customer engagement; engagement; engage; interact more; involvement; visit more; "
        "come back more",
    ),
    _c(
        "relationships",
        "long-term relationships",
        "outcome",
        "long-term relationships; relationships; rapport; trust over time; loyalty; "
        "stay for years; keep customers; repeat business",
    ),
    # --- feedback -----------------------------------------------------------------------------
    _c(
        "feedback",
        "customer feedback",
        "input",
        "customer feedback; feedback; comments; reviews; complaints; complained; "
        "survey results; surveys; suggestions; opinions; star ratings; comment cards",
    ),
    _c(
        "feedback_collection",
        "collecting feedback",
        "feedback_collection",
        "collect feedback; gather feedback; collected; surveys; questionnaires; "
        "comment cards; hands out cards; feedback forms; online reviews; ask customers",
    ),
    _c(
        "analysis",
        "analysing the data",
        "process",
        "analyse; analysis; analysed; spot trends; find trends; find patterns; "
        "look for patterns; reads comments; common complaints; recurring; spreadsheet; "
        "compare results",
    ),
    _c(
        "service_improvement",
        "service improvement",
        "process",
        "improve service; service improvement; service adjustments; service changes; "
        "make changes; change; improve; adjust; fix problem; add staff; train staff; "
        "redesign; introduce; better service; service quality; faster service; "
        "served faster; served quickly; quicker help; consistent answers; "
        "consistent service; right answer first time; better help; not left waiting",
    ),
    _c(
        "measurable_target",
        "a measurable target",
        "process",
        "measurable improvements; measurable; target; kpi; #num percent; #num; aim for; by #num",
    ),
    # --- satisfaction measurement tools -------------------------------------------------------
    _c(
        "survey",
        "customer satisfaction surveys",
        "satisfaction_measure feedback_collection",
        "customer satisfaction survey; survey; questionnaire; feedback form; poll; "
        "rate experience; star rating; rate service",
    ),
    _c(
        "nps",
        "Net Promoter Score (NPS)",
        "satisfaction_measure",
        "net promoter score; nps; likely to recommend; recommend scale; promoters",
    ),
    _c(
        "csat",
        "customer satisfaction score (CSAT)",
        "satisfaction_measure",
        "csat; customer satisfaction score; satisfaction score; satisfaction rating",
    ),
    _c(
        "ces",
        "customer effort score (CES)",
        "satisfaction_measure",
        "customer effort score; ces; effort score; how easy",
    ),
    _c(
        "focus_group",
        "focus groups",
        "satisfaction_measure feedback_collection",
        "focus group; group discussion",
    ),
    _c(
        "mystery_shopper",
        "mystery shopping",
        "satisfaction_measure feedback_collection",
        "mystery shopper; mystery shopping; mystery customer",
    ),
    _c(
        "comment_cards",
        "comment cards",
        "satisfaction_measure feedback_collection",
        "comment card; feedback card; suggestion box",
    ),
    _c(
        "online_reviews",
        "online reviews",
        "satisfaction_measure feedback_collection",
        "online reviews; review sites; trustpilot; social media comments; star reviews",
    ),
    _c(
        "complaint_data",
        "complaints analysis",
        "satisfaction_measure",
        "number of complaints; complaint data; complaint records; complaint levels",
    ),
    _c(
        "interviews",
        "customer interviews",
        "satisfaction_measure feedback_collection",
        "customer interviews; interview customers; follow-up calls",
    ),
    _c(
        "repeat_rate",
        "repeat purchase and churn rates",
        "satisfaction_measure",
        "repeat purchase rate; churn rate",
    ),
    # --- retention strategies -----------------------------------------------------------------
    _c(
        "proactive_communication",
        "proactive communication",
        "retention_strategy confidence_strategy",
        "proactive communication; contact before; keep informed; keep in touch; "
        "regular contact; check in; reach out; update customers; newsletters; "
        "contact regularly; tell before",
    ),
    _c(
        "personalisation",
        "personalisation",
        "retention_strategy relationship_action",
        "personalisation; personalise; tailor; personal service; bespoke; customise; "
        "use name; remember preferences; remember likes; know usual order; "
        "individual treatment",
    ),
    _c(
        "complaint_resolution",
        "complaint resolution",
        "retention_strategy confidence_strategy",
        "complaint resolution; resolve complaints; handle complaints; complaint handling; "
        "sort complaints; deal with complaints; fix problems quickly; put right; "
        "sort grumbles; resolve problems",
    ),
    _c(
        "loyalty_scheme",
        "loyalty schemes and rewards",
        "retention_strategy relationship_action",
        "loyalty scheme; loyalty card; loyalty programme; reward scheme; rewards; "
        "points card; membership scheme; stamp card",
    ),
    _c(
        "offers",
        "discounts and special offers",
        "retention_strategy",
        "discounts; special offers; vouchers; exclusive deals; birthday offer; money off",
    ),
    _c(
        "excellent_service",
        "excellent service",
        "retention_strategy",
        "excellent service; exceed expectations; great service; high quality service; "
        "outstanding service",
    ),
    _c(
        "after_sales",
        "follow-up and after-sales care",
        "retention_strategy relationship_action",
        "after-sales service; aftercare; follow up; follow-up; check in after",
    ),
    _c(
        "act_on_feedback",
        "acting on feedback",
        "retention_strategy relationship_action",
        "act on feedback; acting on feedback; respond to feedback",
    ),
    # --- loyalty benefits ---------------------------------------------------------------------
    _c(
        "repeat_revenue",
        "repeat business and steady revenue",
        "loyalty_benefit",
        "repeat business; repeat purchases; repeat custom; keep spending; keep buying; "
        "regular income; steady revenue; more sales; increased revenue; spend money",
    ),
    _c(
        "word_of_mouth",
        "word-of-mouth recommendations and referrals",
        "loyalty_benefit",
        "word of mouth; word-of-mouth; recommend; referrals; tell friends; "
        "tell others; advocates; recommendations; positive reviews",
    ),
    _c(
        "lower_costs",
        "lower marketing and acquisition costs",
        "loyalty_benefit",
        "lower marketing costs; cheaper to keep; reduce acquisition costs; save money; "
        "lower costs; less advertising; cheaply; reduce costs",
    ),
    _c(
        "higher_spend",
        "higher spend per customer",
        "loyalty_benefit",
        "spend more; buy more; higher spend; customer lifetime value; lifetime value",
    ),
    _c(
        "loyal_feedback",
        "useful feedback from loyal customers",
        "loyalty_benefit",
        "honest feedback; give feedback; useful feedback",
    ),
    _c(
        "competitive_edge",
        "competitive advantage and reputation",
        "loyalty_benefit",
        "competitive advantage; market share; reputation; brand image; beat competitors",
    ),
    _c(
        "price_tolerance",
        "less sensitive to price",
        "loyalty_benefit",
        "less price sensitive; pay more; accept price rises",
    ),
    # --- complaint handling / service recovery ------------------------------------------------
    _c(
        "listen_complaint",
        "listening to the complaint",
        "complaint_response",
        "listen carefully; listen; hear out; let them explain; without interrupting",
    ),
    _c("apologise", "apologising", "complaint_response", "apologise; apology; say sorry; sorry"),
    _c(
        "empathise",
        "showing empathy",
        "complaint_response communication_technique",
        "empathy; empathise; understand feelings; acknowledge feelings; sympathise",
    ),
    _c(
        "remedy",
        "putting it right (refund, replacement, compensation)",
        "complaint_response",
        "refund; replacement; replace; compensation; voucher; money back; swap; exchange; "
        "put right; fix problem; resolve problem; solution; free of charge; goodwill gesture",
    ),
    _c(
        "follow_up",
        "following up",
        "complaint_response",
        "follow up; follow-up; ring back; call back; check later; ring later; call later; "
        "contact afterwards; check happy",
    ),
    _c(
        "escalate",
        "escalating when needed",
        "complaint_response",
        "escalate; pass to manager; refer to supervisor",
    ),
    _c(
        "respond_quickly",
        "responding quickly",
        "complaint_response",
        "respond quickly; deal quickly; resolve quickly; act quickly; quick response; promptly",
    ),
    _c(
        "ownership",
        "taking ownership",
        "complaint_response",
        "take ownership; take responsibility; own the problem",
    ),
    _c(
        "keep_informed",
        "keeping the customer informed",
        "complaint_response",
        "keep informed; keep updated; update customer",
    ),
    _c(
        "service_recovery",
        "service recovery",
        "complaint_response",
        "service recovery; put things right; make amends; win back; apology; refund; "
        "compensation; goodwill gesture; fix mistakes; say sorry; replace free",
    ),
    # --- confidence strategies ----------------------------------------------------------------
    _c(
        "reliable_service",
        "reliable service",
        "confidence_strategy",
        "reliable service; reliable; reliability; keep promises; deliver on time; on time; "
        "consistent service; dependable",
    ),
    _c(
        "transparent_communication",
        "transparent communication",
        "confidence_strategy",
        "transparent communication; transparent; transparency; honest; honesty; "
        "tell truth; upfront; open about",
    ),
    _c(
        "knowledgeable_staff",
        "knowledgeable staff",
        "confidence_strategy",
        "knowledgeable staff; product knowledge; trained staff; expert advice",
    ),
    _c(
        "guarantees",
        "guarantees and clear policies",
        "confidence_strategy",
        "money-back guarantee; warranty; returns policy; clear policies",
    ),
    _c(
        "data_security",
        "keeping data secure",
        "confidence_strategy",
        "data protection; gdpr; secure data; keep data safe; privacy",
    ),
    # --- communication techniques -------------------------------------------------------------
    _c(
        "active_listening",
        "active listening",
        "communication_technique",
        "active listening; listen; listening; pay attention; nod; repeat back; "
        "summarise; paraphrase; hear",
    ),
    _c(
        "questioning",
        "appropriate questioning",
        "communication_technique",
        "appropriate questioning; questioning; open questions; ask questions; ask; "
        "probing questions; queries",
    ),
    _c(
        "adapt_style",
        "adapting communication style",
        "communication_technique",
        "adapt communication style; adapt style; adapt language; change how talk; "
        "adjust tone; plain words; speak slowly; suit the customer; depending on who",
    ),
    _c(
        "observing",
        "observing",
        "communication_technique",
        "observing; observe; watch; body language; facial expressions; notice; non-verbal cues",
    ),
    _c(
        "body_language",
        "positive body language",
        "communication_technique",
        "positive body language; eye contact; smile; open posture",
    ),
    _c(
        "clear_language",
        "clear language without jargon",
        "communication_technique",
        "clear language; avoid jargon; plain english; simple words; speak clearly",
    ),
    _c(
        "use_name",
        "using the customer's name",
        "communication_technique relationship_action",
        "use name; customer name; by name",
    ),
    # --- relationship actions -----------------------------------------------------------------
    _c(
        "seek_feedback",
        "seeking feedback",
        "relationship_action",
        "seek feedback; seeking feedback; ask for feedback; ask opinion; ask how we did; "
        "ask how did; feedback",
    ),
    _c(
        "boundaries",
        "maintaining professional boundaries",
        "relationship_action",
        "professional boundaries; professional; boundaries; stay professional",
    ),
    _c(
        "account_manager",
        "a named contact or account manager",
        "relationship_action",
        "account manager; named contact; dedicated contact; point of contact",
    ),
    _c(
        "regular_contact",
        "regular contact over time",
        "relationship_action",
        "regular contact; keep in touch; contact regularly; check in; every month; stay in touch",
    ),
    _c(
        "build_trust",
        "building trust",
        "relationship_action",
        "build trust; trust; keep promises; reliable",
    ),
    _c(
        "thank_customers",
        "thanking and rewarding regular customers",
        "relationship_action",
        "thank customers; thank regulars; reward loyalty; rewards",
    ),
    # --- segmentation -------------------------------------------------------------------------
    _c(
        "demographics",
        "demographics",
        "segment_instance segment_basis",
        "demographics; age; income; gender; occupation; students; families; pensioners; "
        "retired; young professionals; parents; teenagers; office workers; children; "
        "older customers; young people",
    ),
    _c(
        "behaviours",
        "buying behaviours",
        "segment_basis",
        "behaviours; behaviour; how often; buying habits; purchase frequency; usage; "
        "spending patterns; what they buy; how much they spend; visit frequency",
    ),
    _c(
        "preferences",
        "customer preferences",
        "segment_basis",
        "preferences; prefer; like; likes; tastes; favourite; want; enjoy",
    ),
    _c(
        "geographic",
        "location",
        "segment_basis segment_instance",
        "location; region; area; postcode; local; urban; rural",
    ),
    _c(
        "psychographic",
        "lifestyle and values",
        "segment_basis segment_instance",
        "lifestyle; values; interests; hobbies; attitudes",
    ),
    _c(
        "business_customers",
        "business customers",
        "segment_instance",
        "business customers; trade customers; corporate clients",
    ),
    # --- infrastructure, processes, people ----------------------------------------------------
    _c(
        "internal_processes",
        "internal processes",
        "infrastructure_element",
        "internal processes; processes; procedures; policies; step-by-step; workflow; "
        "routine; standard way; same way every time",
    ),
    _c(
        "technology",
        "technology and IT systems",
        "infrastructure_element",
        "technology; IT systems; software; computers; crm; apps; online systems; "
        "self-service; digital tools",
    ),
    _c(
        "staff_training",
        "staff training",
        "infrastructure_element",
        "staff training; training; trained; well-trained; coached; skilled staff; "
        "knowledgeable staff; induction",
    ),
    _c(
        "staffing",
        "staffing",
        "infrastructure_element",
        "staffing; staff levels; enough staff; enough people; employees; friendly staff; team",
    ),
    _c(
        "premises",
        "premises",
        "infrastructure_element",
        "premises; building; store layout; shop; branch; decor; clean; accessible; ramps; "
        "parking; seating; aisles; tidy",
    ),
    _c(
        "interactions",
        "customer interactions across touchpoints",
        "outcome",
        "customer interactions; interactions; touchpoints; every touchpoint; channels; "
        "phone; email; in store; online; walk in",
    ),
    _c(
        "infrastructure",
        "infrastructure design",
        "infrastructure_element",
        "infrastructure design; infrastructure; website design; website; store layout; layout; "
        "signs; signage; aisles; building; premises; app; payment system; till; "
        "navigation; menus; car park; online shop; design",
    ),
    _c(
        "journey_touchpoints",
        "customer journey touchpoints",
        "outcome",
        "customer journey; touchpoints; touchpoint; journey; first visit; checkout; pay; "
        "browse; delivery; arrive; enter; reception; after-sales",
    ),
    # --- CRM as a whole and data --------------------------------------------------------------
    _c(
        "crm",
        "Customer Relationship Management (CRM)",
        "system",
        "customer relationship management; crm; customer database; client database; "
        "customer software; customer records system",
    ),
    _c(
        "customer_data",
        "collecting and using customer data",
        "process",
        "collect and use customer data; customer data; collect data; collecting data; "
        "customer information; "
        "record what buy; purchase history; customer details; data",
    ),
    # --- teamwork -----------------------------------------------------------------------------
    _c(
        "teamwork",
        "teamwork",
        "teamwork_benefit outcome",
        "teamwork; team work; working together; work as a team; colleagues help each other; "
        "help one another; support each other; cooperate; collaboration; "
        "share information; share knowledge; pass on information; pass on knowledge; "
        "cover for each other; step in; cover shifts; handover",
    ),
    _c(
        "share_knowledge",
        "sharing knowledge and information",
        "teamwork_action",
        "share knowledge; share information; pass on information; pass on knowledge; "
        "handover; brief colleagues; team meetings",
    ),
    _c(
        "cover_colleagues",
        "covering for colleagues",
        "teamwork_action",
        "cover for each other; cover for colleagues; step in; cover shifts; "
        "help out at busy times; fill in for",
    ),
    _c(
        "team_roles",
        "clear roles and responsibilities",
        "teamwork_action",
        "roles and responsibilities; clear roles; know who does what; delegation",
    ),
    _c(
        "resolve_conflict",
        "resolving conflict constructively",
        "teamwork_action",
        "resolve conflict; sort out disagreements; respect opinions; respect each other",
    ),
    # --- service quality and speed ------------------------------------------------------------
    _c(
        "response_times",
        "response times",
        "outcome satisfaction_measure",
        "response times; response time; waiting times; waiting time; how long wait; "
        "wait on hold; reply quickly; answer quickly; quick reply; slow reply; respond quickly; "
        "time to respond; queue times; first response",
    ),
    _c(
        "resolution_rate",
        "resolution rates",
        "satisfaction_measure",
        "resolution rate; first contact resolution; solved first time",
    ),
    # --- administration -----------------------------------------------------------------------
    _c(
        "filing",
        "filing and record keeping",
        "admin_task",
        "filing; record keeping; keep records; file documents; archive",
    ),
    _c(
        "data_entry",
        "accurate data entry",
        "admin_task",
        "data entry; enter data; input data; type up; update records",
    ),
    _c(
        "scheduling",
        "scheduling and diary management",
        "admin_task",
        "scheduling; diary management; book appointments; manage diary; rota; calendar",
    ),
    _c(
        "data_protection",
        "data protection (GDPR)",
        "admin_task confidence_strategy",
        "data protection; gdpr; keep data secure; confidential; lock files; passwords",
    ),
    _c(
        "prioritising",
        "prioritising and time management",
        "admin_task",
        "prioritise; prioritising; time management; to-do list; urgent tasks first; deadlines",
    ),
    _c(
        "checking_accuracy",
        "checking work for accuracy",
        "admin_task",
        "proofread; check for errors; double-check; accuracy; accurate",
    ),
    # --- communication barriers ---------------------------------------------------------------
    _c(
        "noise",
        "background noise and distractions",
        "communication_barrier",
        "background noise; noise; noisy; distractions; loud",
    ),
    _c(
        "jargon",
        "jargon and technical language",
        "communication_barrier",
        "jargon; technical language; technical terms; complicated words",
    ),
    _c(
        "language_difference",
        "language differences",
        "communication_barrier",
        "language barrier; language differences; different language; first language; english not",
    ),
    _c(
        "emotion_barrier",
        "strong emotions such as anger or stress",
        "communication_barrier",
        "angry customer; anger; stress; stressed; upset; emotions",
    ),
    _c(
        "disability_barrier",
        "hearing, sight or other impairments",
        "communication_barrier",
        "hearing impairment; deaf; hard of hearing; visual impairment; disability",
    ),
    _c(
        "poor_connection",
        "poor phone or internet connection",
        "communication_barrier",
        "bad line; poor connection; signal; connection drops",
    ),
)


# =============================================================================================
# Applying the lexicon: tokens, stems, spelling, phrase matching.
# =============================================================================================

# Words (with internal apostrophes or hyphens) in any Latin script; everything else separates.
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f]+(?:['\u2019\-][0-9A-Za-z\u00c0-\u024f]+)*")
_NUMBER_WORDS = frozenset(
    "zero one two three four five six seven eight nine ten eleven twelve fifteen twenty "
    "thirty forty fifty hundred half quarter".split()
)
# "like" is a verb (a preference) only after a subject; otherwise it is "such as".
_LIKE_SUBJECTS = frozenset(
    "i you we they who people customers clients would really also usually don't do does "
    "which that most all often generally might may students families parents pensioners "
    "shoppers buyers diners guests".split()
)
_VOWELS = frozenset("aeiouy")
# Irregular or too-short forms the suffix rules would get wrong.
_IRREGULAR = {
    "using": "use",
    "used": "use",
    "uses": "use",
    "having": "have",
    "has": "have",
    "making": "make",
    "made": "make",
    "taking": "take",
    "giving": "give",
    "being": "be",
    "bought": "buy",
    "told": "tell",
    "kept": "keep",
    "felt": "feel",
    "heard": "hear",
    "paid": "pay",
    "spent": "spend",
    "left": "leave",
    "brought": "bring",
    "taught": "teach",
    "won": "win",
}


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light suffix stripper (Porter step 1 plus a few derivations), British spellings.

    Takes one word, returns its stem; deterministic and cached. Inflections collapse
    ("tracking", "tracked", "tracks" -> "track"); derivations such as "satisfaction" vs
    "satisfied" are left to ``WORD_CLASSES`` rather than over-stemmed here.
    """
    w = word.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    w = re.sub(r"iz(e|es|ed|ing|ation|ations|er|ers)$", r"is\1", w)
    w = re.sub(r"yz(e|es|ed|ing)$", r"ys\1", w)
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ingly", "edly", "ing", "ed"):
        if w.endswith(suffix) and not w.endswith("eed"):
            base = w[: -len(suffix)]
            if len(base) >= 3 and any(ch in _VOWELS for ch in base):
                w = base
                # Undouble "logg" -> "log", but keep "call", "miss", "buzz", "add".
                if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz" + "aeiou":
                    w = w[:-1]
            break
    if w.endswith("ment") and len(w) >= 8:
        w = w[:-4]
    elif w.endswith("ly") and len(w) >= 6:
        w = w[:-2]
    if w.endswith("y") and len(w) > 3 and w[-2] not in _VOWELS:
        w = w[:-1] + "i"
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    return w


def _build_class_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for class_id, words in WORD_CLASSES.items():
        for word in words:
            for part in _word_parts(word.lower()):
                index.setdefault(stem(part), set()).add(class_id)
    return {key: frozenset(value) for key, value in index.items()}


def _word_parts(word: str) -> list[str]:
    """A hyphenated class word is indexed whole and joined ("word-of-mouth", "wordofmouth");
    never by its parts, or "of" would become a synonym of "recommend"."""
    if "-" not in word:
        return [word]
    return [word, word.replace("-", "")]


_CLASS_INDEX: dict[str, frozenset[str]] = _build_class_index()


def _build_primary_index() -> dict[str, str]:
    primary: dict[str, str] = {}
    for class_id, words in WORD_CLASSES.items():
        for word in words:
            for part in _word_parts(word.lower()):
                primary.setdefault(stem(part), class_id)
    return primary


# A phrase word stands for its *first* class only ("calls" in "track calls" means an
# interaction, not "contact" via the wider communication class); answer words keep them all.
_PRIMARY_CLASS: dict[str, str] = _build_primary_index()


@lru_cache(maxsize=65536)
def _phrase_canons(word: str) -> frozenset[str]:
    s = stem(word)
    primary = _PRIMARY_CLASS.get(s)
    return frozenset({s, primary}) if primary else frozenset({s})


@lru_cache(maxsize=65536)
def canons_of(word: str) -> frozenset[str]:
    """Every id a word stands for: its stem plus the word classes of the stem."""
    s = stem(word)
    return frozenset({s}) | _CLASS_INDEX.get(s, frozenset())


@lru_cache(maxsize=65536)
def _strict_canons(word: str) -> frozenset[str]:
    return frozenset({stem(word)})


@dataclass(frozen=True)
class Token:
    """One word of an answer: its exact span in the original text and what it stands for."""

    text: str
    lower: str
    start: int
    end: int
    stem: str
    canons: frozenset[str]
    sentence: int
    corrected_from: str = ""  # set when the word was read as a misspelling of a known word


_SENTENCE_BREAK = re.compile(r"[.!?;:\n\r\u2022]|(?:\s-\s)")


def tokenize(text: str, correct=None, *, strict: bool = False) -> list[Token]:
    """Split ``text`` into ``Token``s with character offsets into ``text`` itself.

    ``correct`` is an optional callable ``(lower_word) -> corrected word or ""`` used for
    spelling; it is only consulted for unknown words of five letters or more.
    Hyphenated words become one token per part, each also standing for the joined word, so
    "pro-active" meets "proactive" and "follow-up" meets "follow up". ``strict`` leaves out
    the word classes (each token stands for its stem only): used for examiner wording.
    """
    lookup = _strict_canons if strict else canons_of
    tokens: list[Token] = []
    sentence = 0
    last_end = 0
    previous_lower = ""
    for match in _WORD.finditer(text):
        if _SENTENCE_BREAK.search(text, last_end, match.start()):
            sentence += 1
        last_end = match.end()
        raw = match.group(0)
        pieces: list[tuple[str, int]] = []
        if "-" in raw:
            offset = 0
            for part in raw.split("-"):
                pieces.append((part, match.start() + offset))
                offset += len(part) + 1
        else:
            pieces.append((raw, match.start()))
        joined = raw.lower().replace("-", "")
        whole = lookup(raw.lower()) | lookup(joined) if "-" in raw else frozenset()
        for part, start in pieces:
            if not part:
                continue
            lower = part.lower().replace("\u2019", "'")
            corrected = ""
            if part == "IT":
                canons = lookup("itsys")
            elif lower.isdigit() or lower in _NUMBER_WORDS:
                canons = frozenset({lower, "#num"})
            elif lower == "like" and previous_lower not in _LIKE_SUBJECTS:
                canons = frozenset({"like_prep"})
            else:
                canons = lookup(lower) | whole
                if correct is not None and len(lower) >= 5 and not whole:
                    corrected = correct(lower)
                    if corrected:
                        canons = canons | canons_of(corrected)
            tokens.append(
                Token(
                    text=part,
                    lower=lower,
                    start=start,
                    end=start + len(part),
                    stem=stem(lower),
                    canons=canons,
                    sentence=sentence,
                    corrected_from=corrected,
                )
            )
            previous_lower = lower
    return tokens


# --- spelling ---------------------------------------------------------------------------------


def bounded_edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count 1), or ``limit + 1`` once exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class SpellingCorrector:
    """Reads a misspelt word as a known one, deterministically.

    Built from a vocabulary of known surface words. Only words of 5+ letters that are not
    already known are corrected; the allowed distance is 1 (5-7 letters) or 2 (8+ letters),
    the first letter must agree (learners rarely misspell it, and it halves false friends),
    and ties are broken by distance, then alphabetically, so results never depend on order.
    """

    def __init__(self, vocabulary: frozenset[str], base: SpellingCorrector | None = None) -> None:
        # ``base``: a shared corrector for the lexicon's own words, so its cache is filled once
        # per process rather than once per rubric; this one only adds the rubric's extra words.
        self._base = base
        self._known_stems = frozenset(stem(w) for w in vocabulary) | _COMMON_STEMS
        # Candidates are compared both as written and as stems ("redesined" -> "redesin"
        # is one letter from "redesign"), each remembering the vocabulary word it stands for.
        self._by_initial: dict[str, list[tuple[str, str]]] = {}
        for word in sorted(vocabulary):
            if len(word) >= 5 and word.isalpha():
                self._by_initial.setdefault(word[0], []).append((word, word))
                if stem(word) != word and len(stem(word)) >= 4:
                    self._by_initial[word[0]].append((stem(word), word))
        self._cache: dict[str, str] = {}

    def __call__(self, word: str) -> str:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = ""
        known = stem(word) in self._known_stems or (
            self._base is not None and stem(word) in self._base._known_stems
        )
        if word.isalpha() and not known:
            limit = 1 if len(word) <= 7 else 2
            best = (limit + 1, "")
            forms = {word, stem(word)}
            for candidate, original in self._by_initial.get(word[0], ()):
                for form in forms:
                    if abs(len(candidate) - len(form)) > limit:
                        continue
                    distance = bounded_edit_distance(form, candidate, limit)
                    if distance < best[0]:
                        best = (distance, original)
            result = best[1]
            if not result and self._base is not None:
                result = self._base(word)
        if len(self._cache) < 50_000:
            self._cache[word] = result
        return result


# Everyday words that must never be "corrected" into a lexicon word ("trading" -> "tracking").
_COMMON_WORDS = """
about above after again against almost along already although always among another answer
around because become before begin behind being below better between bring brought build
business called cannot carry cause certain change check child children clean clear close
come could course cover daily different during early either enough every example family
father feel field final first follow friend friends front further given going great group
happen heard heavy helped house however important instead issue large later learn least leave
level light little local lovely making matter maybe might money month morning mother moved
music never night number often order other others paper party people perhaps person place
plant point power pretty problem quite rather ready really reason right round school second
seems sense several shall short should shown since small something sometimes sound start
state still story study such sure table taken their there these thing things think those
though thought three through today together trading train travel trying under until using
usually water where whether which while whole whose woman women working world would write
wrong years young dancing music partner pillow sleep hours arguments weather umbrellas london
police detective crime scene garage truck guitar amplifier volume plumber parking pension
ruler electronics engineers handbook chapter textbook module credits supermarket orange
archery colour scheme players injuries sport bread aisles
""".split()
_COMMON_STEMS = frozenset(stem(w) for w in _COMMON_WORDS) | frozenset(
    stem(w) for w in FUNCTION_WORDS
)


# --- phrases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledPhrase:
    """A phrase ready to match: one set of acceptable ids per content word, and its polarity."""

    text: str
    units: tuple[frozenset[str], ...]
    polarity_free: bool = False


@lru_cache(maxsize=16384)
def compile_phrase(phrase: str, strict: bool = False) -> CompiledPhrase | None:
    """Turn "track interactions" into units ({track, @track}, {interact, @interaction}).

    Stopwords are dropped (unless nothing else is left); "#num" stands for any number; a
    leading "~" marks the phrase polarity-free. Returns None for a phrase with no words.
    ``strict`` units hold the stem only (no word classes), for reading examiner wording.
    """
    lookup = _strict_canons if strict else _phrase_canons
    polarity_free = phrase.startswith("~")
    text = phrase.lstrip("~").strip()
    units: list[frozenset[str]] = []
    content: list[frozenset[str]] = []
    for raw in re.findall(r"#num|[0-9A-Za-z\u00c0-\u024f]+(?:['\u2019\-][0-9A-Za-z]+)*", text):
        lower = raw.lower()
        if lower == "#num" or lower.isdigit() or lower in _NUMBER_WORDS:
            unit = frozenset({"#num"})
        elif raw == "IT":
            unit = lookup("itsys")
        elif "-" in lower:
            unit = lookup(lower) | lookup(lower.replace("-", ""))
        else:
            unit = lookup(lower)
        units.append(unit)
        if lower not in STOPWORDS or raw == "IT":
            content.append(unit)
    chosen = content or units
    if not chosen:
        return None
    return CompiledPhrase(text=text, units=tuple(chosen), polarity_free=polarity_free)


@dataclass(frozen=True)
class PhraseMatch:
    """Token positions (indices into the token list) that realise one phrase."""

    positions: tuple[int, ...]
    phrase: CompiledPhrase


def build_index(tokens: list[Token]) -> dict[str, list[int]]:
    """id -> sorted token positions carrying it; built once per answer."""
    index: dict[str, list[int]] = {}
    for position, token in enumerate(tokens):
        for canon in token.canons:
            index.setdefault(canon, []).append(position)
    return index


def find_phrase(
    phrase: CompiledPhrase,
    tokens: list[Token],
    index: dict[str, list[int]],
    *,
    window_slack: int = 3,
    limit: int = 8,
) -> list[PhraseMatch]:
    """Every place (up to ``limit``) where all the phrase's units occur close together.

    Units may come in any order ("tracking interactions" / "interaction tracking") but must be
    in one sentence and within ``len(units) + window_slack`` tokens of each other.
    """
    unit_positions: list[list[int]] = []
    for unit in phrase.units:
        found: set[int] = set()
        for canon in unit:
            found.update(index.get(canon, ()))
        if not found:
            return []
        unit_positions.append(sorted(found))
    if len(unit_positions) == 1:
        return [PhraseMatch((p,), phrase) for p in unit_positions[0][:limit]]
    window = len(unit_positions) + window_slack
    # Anchor on the rarest unit; look for the others nearby.
    order = sorted(range(len(unit_positions)), key=lambda i: len(unit_positions[i]))
    anchor_list = unit_positions[order[0]]
    matches: list[PhraseMatch] = []
    for anchor in anchor_list:
        sentence = tokens[anchor].sentence
        chosen = {order[0]: anchor}
        ok = True
        for unit_index in order[1:]:
            candidates = unit_positions[unit_index]
            lo = bisect_left(candidates, anchor - window)
            best = None
            for position in candidates[lo:]:
                if position > anchor + window:
                    break
                if tokens[position].sentence != sentence:
                    continue
                if best is None or abs(position - anchor) < abs(best - anchor):
                    best = position
            if best is None:
                ok = False
                break
            chosen[unit_index] = best
        if ok:
            positions = tuple(sorted(set(chosen.values())))
            if positions[-1] - positions[0] <= window:
                matches.append(PhraseMatch(positions, phrase))
                if len(matches) >= limit:
                    break
    return matches


# --- concepts ---------------------------------------------------------------------------------


@lru_cache(maxsize=2)
def compiled_concepts(
    strict: bool = False,
) -> tuple[tuple[Concept, tuple[CompiledPhrase, ...]], ...]:
    """Every concept with its phrases compiled (``strict``: stems only, no word classes)."""
    compiled = []
    for concept in CONCEPTS:
        phrases = tuple(p for p in (compile_phrase(x, strict) for x in concept.phrases) if p)
        compiled.append((concept, phrases))
    return tuple(compiled)


def concept_by_key(key: str) -> Concept | None:
    """The concept with this key, or None."""
    for concept in CONCEPTS:
        if concept.key == key:
            return concept
    return None


def concepts_by_category(category: str) -> tuple[Concept, ...]:
    """All concepts in a category, in table order."""
    return tuple(c for c in CONCEPTS if category in c.categories)


def concepts_in_text(text: str) -> list[tuple[Concept, int, int, tuple[str, ...]]]:
    """Concepts named in a short text (a marking point or a misconception).

    Returns ``(concept, start_char, end_char, overlapping_keys)`` in text order. Overlapping
    matches are resolved longest-first so "staff training" wins over "staff"; the keys of every
    concept that matched the same words are kept (``overlapping_keys``) because a misconception
    about "satisfaction scores" is also about "satisfaction".
    """
    tokens = tokenize(text, strict=True)
    index = build_index(tokens)
    found: list[tuple[int, int, int, int, Concept]] = []
    for concept, phrases in compiled_concepts(strict=True):
        for rank, phrase in enumerate(phrases):
            if phrase.polarity_free:
                continue
            if all(unit == frozenset({"#num"}) for unit in phrase.units):
                continue  # a number in a marking point is a count, not a target
            for match in find_phrase(phrase, tokens, index, window_slack=1):
                positions = match.positions
                if len(positions) == 1 and tokens[positions[0]].lower in GENERIC_POINT_WORDS:
                    continue
                # In examiner wording a phrase's words must be adjacent (only stopwords
                # between) and must not straddle punctuation.
                between = [
                    tokens[i] for i in range(positions[0] + 1, positions[-1]) if i not in positions
                ]
                if any(t.lower not in STOPWORDS for t in between):
                    continue
                gap = text[tokens[positions[0]].end : tokens[positions[-1]].start]
                if re.search(r"[,;:()]", gap):
                    continue
                found.append((-(len(positions)), rank, positions[0], positions[-1], concept))
    # Longest first; among equals, the concept for which the words are its own name (rank 0).
    found.sort(key=lambda item: (item[0], item[1], item[2], CONCEPTS.index(item[4])))
    taken: set[int] = set()
    chosen: list[tuple[int, int, Concept, set[str]]] = []
    for _negative_len, _rank, first, last, concept in found:
        span = set(range(first, last + 1))
        overlapping = [c for c in chosen if span & set(range(c[0], c[1] + 1))]
        if span & taken:
            for item in overlapping:
                if span <= set(range(item[0], item[1] + 1)):
                    item[3].add(concept.key)
            continue
        taken |= span
        chosen.append((first, last, concept, {concept.key}))
    chosen.sort(key=lambda item: item[0])
    result = []
    for first, last, concept, keys in chosen:
        start = tokens[first].start
        # Report whole hyphenated words ("long-term relationships", not "term relationships").
        while first > 0 and text[start - 1 : start] == "-" and tokens[first - 1].end == start - 1:
            first -= 1
            start = tokens[first].start
        result.append((concept, start, tokens[last].end, tuple(sorted(keys))))
    return result


@lru_cache(maxsize=1)
def lexicon_vocabulary() -> frozenset[str]:
    """Every surface word the lexicon knows, for the spelling corrector."""
    words: set[str] = set()
    for class_words in WORD_CLASSES.values():
        words.update(w.lower() for w in class_words)
    for concept in CONCEPTS:
        for phrase in concept.phrases:
            words.update(w.lower() for w in _WORD.findall(phrase.lstrip("~")))
    return frozenset(w for w in words if w not in STOPWORDS)


@lru_cache(maxsize=1)
def base_corrector() -> SpellingCorrector:
    """The process-wide spelling corrector for the lexicon's vocabulary (shared cache)."""
    return SpellingCorrector(lexicon_vocabulary())


# Recorded on every mark, so a re-mark can say whether the lexicon changed in between.
LEXICON_SHA256 = hashlib.sha256(repr((WORD_CLASSES, CONCEPTS)).encode()).hexdigest()
