"""English: how people write about the warning signs, the check-in and a set.

Phrasings from the way patients write on forums and in chat: slang for the
body ("bum", "pee"), common misspellings ("numbess", "bladdar"), no
punctuation. Each warning sign's question is in flows.screening.
"""

from __future__ import annotations

from flows.words.lexicon import Concept, Language, words

# --- the body, as people name it -------------------------------------------------------

BLADDER = (
    "bladder*|bladdar*|bladda*|blader*|bowel*|bowl|bowls|urin*|pee*|piss*|wee|weeing|"
    "toilet|loo|poo*|poop*|stool*|number two*",
    "go to the toilet|go to the loo",
)
CONTROL = (
    "control*|contol*|controll*|hold it|hold my|hold in|leak*|incontinen*|accident*|"
    "wet myself|wetting|dribbl*|urgency|retention|retain*",
    "cant pee|cannot pee|cant go|cant empty|cant feel when|dont know when|dont feel when|"
    "cant tell when|cant tell if|dont know if|cant hold|cannot hold|not working right|"
    "not working properly",
    "no control|lost control|losing control|loss of control|no feeling when",
    "trouble|problem*|issue*|difficult*|struggl*",
    "no sensation",
)
SADDLE_AREA = (
    "groin*|genital*|private*|privates|crotch|perine*|taint|saddle|bum|butt|buttock*|"
    "bottom|backside|anus|anal|arse|ass|rectum|rectal|vagina*|penis|testic*|balls|"
    "scrotum|inner thigh*|inside of my thigh*|inside of my leg*|between my legs|"
    "down there|sit bones|sitting area|where i sit|when i wipe|wiping|toilet paper",
)
NUMB = (
    "numb*|numbess|numbnes|numbe|nub|nummb*|dead|deadness|no feeling|no sensation|"
    "lost feeling|lost sensation|loss of feeling|loss of sensation|cant feel|cannot feel|"
    "can not feel|dont feel|do not feel|reduced feeling|reduced sensation|less feeling|"
    "strange feeling|funny feeling|feels weird|tingl* and numb*|anesthe*|anaesthe*",
)
LEGS = ("leg|legs|leggs|lesg|thigh*|calf|calves|foot|feet|knee*|shin*|hamstring*",)
BOTH = (
    "both|bothe|boht|two|2|either|each|all two",
    "left and right|right and left|both sides|on each side|both side",
)
SYMPTOM = (
    "pain*|painful|hurt*|ache*|aching|sciatica|sciatic*|siatica|sciatca|shoot*|"
    "radiat*|burn*|numb*|tingl*|pins and needles|nerve*|throb*|zing*|electric",
)
WEAK = (
    "weak*|week ness|weekness|weeker|weeak*|no strength|lost strength|losing strength|"
    "strength gone|"
    "give way|gives way|giving way|gave way|giving out|gives out|gave out|buckl*|"
    "collaps*|cant lift|cannot lift|cant move|cannot move|cant stand on|cant bear weight|"
    "dead leg|heavy|like jelly|jelly",
    "numb*|no feeling|cant feel|cannot feel|lost feeling",
)
WORSENING = ("worse|worsening|getting worse|more and more|spreading|severe",)
FOOT = ("foot|feet|toe*|ankle*",)
DROP = (
    "drop*|drag*|slap*|flop*|catch*|catching|scuff*|trip*|floppy|limp|lift|raise|pull up|point up",
)

SIGNS: dict[str, Concept] = {
    "bladder": Concept(
        alone=(
            "incontinen*",
            "wet myself|wetting myself|peed myself|peeing myself|weeing myself|pissed myself|"
            "pooed myself|pooped myself|"
            "soiled myself|shat myself|crapped myself",
            "wet the bed|wetting the bed|accident in my pants|accidents in my pants",
            "cant pee|cannot pee|can not pee|cant wee|unable to pee|cant urinate|"
            "cannot urinate|unable to urinate|cant poo|cant poop",
            "no bladder control|no bowel control|lost bladder control|lost bowel control",
            "cant hold my|cannot hold my|cant hold in|leaking urine|leaking pee",
            "catheter*",
        ),
        pairs=((BLADDER, CONTROL),),
    ),
    "saddle": Concept(
        alone=("saddle anesthe*|saddle anaesthe*|saddle numb*", "cauda equina"),
        pairs=((NUMB, SADDLE_AREA),),
    ),
    "both_legs": Concept(
        alone=(
            "bilateral sciatica|bilateral leg*|both my legs|both legs|down both|in both",
            "left and right leg*|right and left leg*|both sides of my leg*|into both",
        ),
        pairs=(
            (BOTH, LEGS),
            (("both sides|both side|each side|either side|both my",), SYMPTOM),
        ),
        unless=(
            "stand on both|standing on both|weight on both|both feet on|both hands|"
            "on both legs fine",
        ),
    ),
    "weakness": Concept(
        alone=(
            "leg gives way|leg gave way|legs give way|knee gives way|knee buckles|"
            "knees buckle|leg buckles|legs buckle|dead leg",
            "cant lift my leg|cannot lift my leg|cant move my leg|cannot move my leg",
        ),
        pairs=((LEGS, WEAK),),
        unless=(
            "weak core|weak abs|weak stomach|weak muscles in my back|a bit numb|bit numb|"
            "slightly numb|little numb|after sitting",
        ),
    ),
    "foot_drop": Concept(
        alone=(
            "foot drop*|foot-drop|dropfoot|drop foot|footdrop|drop my foot|foot slap*|"
            "slapping foot",
            "cant lift my foot|cannot lift my foot|cant lift my toes|cannot lift my toes|"
            "cant raise my foot|cant point my toes up|cant walk on my heels|"
            "cannot walk on my heel*|cant stand on my heel*",
            "trip* over my ~1 foot|trip* over my ~1 toes|toes catch*|toe catches",
            "drag* my foot|drag* my leg|foot drag*|dragging my foot|dragging my leg",
        ),
        pairs=((FOOT, DROP),),
        unless=(
            "drop foot exercise|drop in|dropped off|drop off|drop by|dropped my|dropped a|"
            "dropped the|dropped something|phone|stubbed",
        ),
    ),
    "sexual": Concept(
        alone=(
            "erectile*|erection*|errection*|impoten*|cant get hard|cant get it up|"
            "cant stay hard|no libido|lost my libido|libido gone|cant orgasm|cannot orgasm|"
            "cant climax|no orgasm*|no sensation during sex|numb during sex",
        ),
        pairs=(
            (
                ("sex|sexual*|sexually|bedroom|intercourse|orgasm*|climax",),
                (
                    "function*|problem*|issue*|trouble|cant|cannot|lost|loss|numb*|"
                    "no feeling|dont feel|cant feel|difficult*|dysfunction",
                ),
            ),
        ),
        unless=("sex position*|positions for sex|safe to have sex|is sex ok",),
    ),
    "fever": Concept(
        alone=(
            "fever*|feverish|fevar|feaver|fevre|high temp*|running a temp*|have a temp|"
            "got a temp|a temperature|temp of|temperature of|night sweat*|sweating at night|"
            "chills|shivers|shivering|hot and cold|sweating ~3 at night|sweats at night|rigors|"
            "febrile|flu like|flu-like",
        ),
        unless=(
            "outside|weather|room temperature|cold weather|cold outside|ice pack|heat pack|"
            "hot water bottle|hot bath|cold shower|no fever",
        ),
    ),
    "cancer": Concept(
        alone=(
            "cancer*|canser*|cancre|tumour*|tumor*|tumer*|chemo*|radiotherap*|"
            "radiation therapy|oncolog*|malignan*|metasta*|lymphoma|leukaemia|leukemia|"
            "myeloma|carcinoma|sarcoma|mass on my spine|lump on my spine",
            "lost weight|losing weight|lose weight|weight loss|weightloss|lost a lot of weight|"
            "dropped weight|lost kilos|lost pounds|lost ~2 kg|lost ~2 kilos|lost ~2 pounds|"
            "lost ~2 lbs|lost ~2 stone|dropped ~2 kg|dropped ~2 pounds|clothes are loose|"
            "getting thinner|lost my appetite|no appetite",
        ),
        unless=(
            "diet|dieting|trying to lose|want to lose|need to lose|should lose|on purpose|"
            "gym|calorie*|gained|gain weight|put on weight|cancer free for|lose weight to help",
        ),
        others=True,
    ),
    "trauma": Concept(
        alone=(
            "fell|fallen|falling over|falling down|had a fall|took a fall|a bad fall|"
            "slipped|slip and fall|tripped and fell|tumbled|came off my bike|fell off|"
            "knocked over|knocked down|hit by a car|run over",
            "accident|car crash|crashed|crash|collision|rear ended|rear-ended|whiplash|"
            "rta|mva|car wreck|wreck|ski accident|bike accident|motorbike accident",
            "landed on my back|landed on my bum|landed on my butt|fell on my back|"
            "fell on my bum|fell down the stairs|down the stairs",
        ),
        unless=(
            "fell asleep|fall asleep|falling asleep|pain fell|fell to|fell from ~1 to|"
            "dropped to|accidentally|by accident|fall off to sleep|fell in love|"
            "fell apart|falling apart|tripped up on|afraid of falling|scared of falling|"
            "fell behind|falling behind",
        ),
    ),
    "bones": Concept(
        alone=(
            "steroid*|sterod*|steriod*|prednison*|prednisolon*|predniso*|cortison*|"
            "cortisone|hydrocortison*|dexameth*|methylpred*|medrol|corticosteroid*",
            "osteopor*|osteoper*|osteopen*|brittle bone*|thin bones|weak bones|low bone density|"
            "bone density|bone loss|fragile bones|fracture*|broken vertebra*|"
            "compression fracture*|crush fracture*",
        ),
        unless=("steroid injection in my shoulder|no steroids",),
        others=True,
    ),
}

# --- the check-in ------------------------------------------------------------------------

LEG_WORDS = ("leg|legs|thigh*|calf|calves|foot|feet|knee*|shin*|toes|buttock*|bum|butt|hip",)
BACK_WORDS = ("back|lower back|low back|spine|lumbar",)
GONE = ("gone|went away|disappeared|vanished|no more|no longer|stopped|cleared|over|free|nothing",)
MORE = ("more|stronger|sharper|increased|hurts more|more painful|more pain",)
ANSWERS: dict[str, Concept] = {
    "worse": Concept(
        alone=(
            "worse|worst|worsening|worsened|wors|worce|wosre|woorse|werse|worser|wrose",
            "spreading|spreads|spread|spred*|sprea|spreding|radiat*|travell*|traveling",
            "further down|farther down|lower down|moving down|moved down|moves down|"
            "shooting further|down into|into my leg|into the leg|into my legs|down to my foot|"
            "down to my toes|down to my calf|down past my knee",
            "increas*|intensif*|flared|flare up|flare-up|flaring|aggravat*|made it worse",
        ),
        pairs=((MORE, ("leg|legs|thigh*|calf|calves|foot|feet|knee*|shin*|toes",)),),
        negation_reach=2,
    ),
    # "it hurts more", said of no part of the back: the stop rule's side of the doubt
    "worse+more": Concept(
        alone=("hurts more|more painful|more pain|hurting more|more sore|sorer",),
        unless=("back|spine|lumbar",),
        negation_reach=2,
    ),
    "leg_gone": Concept(
        alone=(
            "only my back|only in my back|only the back|only back|just my back|just the back|"
            "just in my back|just back|back only|only lower back|just lower back|"
            "only my lower back|just my lower back",
        ),
        pairs=((LEG_WORDS, GONE),),
        unless=("all gone|all the pain|no pain at all|completely gone|no pain anywhere",),
    ),
    "all_gone": Concept(
        alone=(
            "all gone|all pain gone|all the pain|no pain|pain free|painfree|pain-free|"
            "pain is gone|pains gone|its gone|it is gone|gone completely|completely gone|"
            "totally gone|nothing hurts|doesnt hurt|does not hurt|no more pain|zero pain|"
            "pain has gone|pain went away|pain disappeared|dont feel any pain|feel nothing|"
            "cant feel any pain|gone gone|its all gone",
        ),
        unless=("in my back|in the back|back still|back hurts|only|just|leg",),
    ),
    "easing": Concept(
        alone=(
            "better|beter|bettr|betetr|improv*|easing|eased|eases|easier|less|lesser|"
            "centraliz*|centralis*|decreas*|reduced|lighter|milder|calmer|calmed|"
            "settling|settled|relief|relieved|helped|helping|helps|went down|gone down|"
            "going down|dropped",
            "moving up|moved up|moves up|up into my back|up to my back|up my leg|"
            "into my back|to my back|toward my back|towards my back|toward my spine|"
            "towards my spine|closer to my spine|closer to the spine|more in my back|"
            "more back pain|back hurts more|back is worse|creeping up",
        ),
    ),
    "same": Concept(
        alone=(
            "same|the same|no change|no changes|nothing changed|not changed|unchanged|"
            "no different|not different|no difference|about the same|pretty much the same|"
            "still the same|no better no worse|neither better nor worse|not better not worse|"
            "not better or worse|meh|same old|as before|like before|nothing new",
        ),
    ),
}

BODY: dict[str, Concept] = {
    "foot": Concept(
        alone=(
            "foot|feet|fot|toe|toes|big toe|ankle*|heel*|sole|soles|instep|arch of my foot",
            "whole leg|entire leg|all the way down|all down my leg",
        )
    ),
    "calf": Concept(
        alone=(
            "calf|calves|claf|caf|shin*|below the knee|below my knee|under my knee|"
            "under the knee|lower leg|behind my knee|behind the knee|back of my knee|knee*",
        )
    ),
    "thigh": Concept(
        alone=("thigh*|thig|thight|hamstring*|upper leg|above the knee|above my knee|quad*",)
    ),
    "buttock": Concept(
        alone=(
            "buttock*|buttck*|butt|bum|glute*|backside|bottom|butt cheek|hip|hips|"
            "sciatic notch|piriformis|arse|ass",
        )
    ),
    "back_centre": Concept(
        alone=(
            "middle of my back|middle of the back|centre of my back|center of my back|"
            "centre of the back|center of the back|central|centrally|centre|center|"
            "spine|spinal|midline|middle|both sides of my back|across my back",
        )
    ),
    "back_side": Concept(
        alone=(
            "one side of my back|side of my back|one side|left side|right side|"
            "left lower back|right lower back|lower back on the|low back on the|side",
        )
    ),
    "back": Concept(alone=("back|lower back|low back|lumbar|lower-back|lowback|bak",)),
}

NUMBERS = {
    "zero": 0,
    "nothing": 0,
    "nil": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

SET_WORDS: dict[str, Concept] = {
    "stop": Concept(
        alone=("stop|stopp|stopping|quit|enough|end it|abort|pause|halt",),
        unless=("dont stop|do not stop|non stop|nonstop",),
    ),
    "done": Concept(
        alone=(
            "done|dun|finished|finish|finshed|complete|completed|all done|thats it|over|"
            "that was the last|last one done",
        ),
    ),
    "repeat": Concept(
        alone=(
            "again|agian|repeat|repeat that|repeat it|once more|one more time|say again|"
            "say it again|go back|pardon",
        ),
    ),
    "steps": Concept(alone=("steps|show me the steps|show me how|show me|how do i|step by step",)),
    "press": Concept(alone=("press ups|press-ups|pressups|press up|the press|now the press",)),
    "next": Concept(
        alone=("next|nxt|nex|next step|go on|continue|carry on|ready|ok|okay|got it|move on",),
    ),
}

LANGUAGE = Language(
    code="en",
    signs=SIGNS,
    negations=words(
        "no not never without dont doesnt didnt havent hasnt hadnt isnt arent wasnt werent "
        "nor none neither nothing zero wont aint nope"
    ),
    fine_after=(
        "fine|ok|okay|normal|good|alright|unaffected|intact|clear|negative",
        "is fine|are fine|is ok|are ok|is okay|is normal|are normal|is good|are good|no problem*",
    ),
    clause_breaks=words("but however although though except"),
    negation_breaks=words("and also plus then yet"),
    relatives=words(
        "mum mom mother mums moms dad father dads sister brother wife husband partner "
        "aunt uncle cousin grandma grandmother grandad grandpa grandfather nan nana gran "
        "son daughter friend friends friends colleague neighbour neighbor boyfriend "
        "girlfriend family dog cat"
    ),
    answers=ANSWERS,
    body=BODY,
    from_words=words("from"),
    to_words=words("to into towards toward now"),
    numbers=NUMBERS,
    weak_numbers=frozenset({"one", "nothing", "nil"}),
    units=(
        "hour*|hr|hrs|h|min|mins|minute*|sec*|day|days|week*|month*|year*|yr*|rep|reps|"
        "repetition*|set|sets|time|times|pm|am|oclock|kg|kilo*|lb|lbs|pound*|stone|km|"
        "mile*|step|steps|cm|inch*|x|th|st|nd|rd|percent|legs|sides|feet|of them|of my",
    ),
    units_before=("day|week|step|set|rep|number|no|page|level of",),
    out_of=("out of|outta|of|outof",),
    now_words=words("now currently today at its is"),
    set_words=SET_WORDS,
    yes=Concept(
        alone=(
            "yes|yess|yeah|yea|yeh|ya|yep|yup|aye|correct|thats right|yes right|true|"
            "affirmative|definitely|sure",
        ),
    ),
    no_typos=words(
        "never feeling seven eleven better letter ladder matter bowler bowling wetter "
        "whether weather heavy"
    ),
)
