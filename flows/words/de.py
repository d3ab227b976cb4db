"""German: how people write about the warning signs, the check-in and a set.

Umlauts are folded ("Gefühl" is "gefuhl"; "gefuehl" is one typo from it),
"ß" is "ss", and the negation often comes after the verb ("ich spüre die Blase
nicht"), so those phrasings are listed whole.
"""

from __future__ import annotations

from flows.words.lexicon import Concept, Language, words

BLADDER = (
    "blase*|harnblase|darm*|stuhl*|stuhlgang|urin*|harn*|pipi|pinkeln|pinkel*|pissen|"
    "wasser lassen|wasserlassen|kacken|kacka|aa|klo|toilette|schliessmuskel*|schließmuskel*",
)
CONTROL = (
    "kontroll*|kontrol*|kontrolle|halten|halte|inkontinen*|auslauf*|tropf*|nass|einnass*|"
    "unfall|unfalle|verlier*|verlor*|verlust|drang|harndrang|verhalt*|entleer*",
    "nicht halten|kann nicht|kann ihn nicht|kann sie nicht|nicht mehr halten|"
    "merke nicht|spure nicht|spuere nicht|keine kontrolle|kontrollverlust|"
    "nicht kontrollieren|nicht mehr kontrollieren|geht daneben|geht in die hose|in die hose",
    "problem*|probleme|schwierigkeit*|storung*|muhe|schwer",
    "taub*|gefuhllos*|kein gefuhl",
)
SADDLE_AREA = (
    "leiste*|leistengegend|genital*|intimbereich|schritt|damm|reithose*|reithosen|sattel*|"
    "po|popo|hintern|gesass|gesaß|arsch|after|anus|scheide|vagina|penis|hoden|"
    "oberschenkelinnenseite*|innenseite der oberschenkel|innenschenkel|innere oberschenkel|"
    "zwischen den beinen|untenrum|beim abwischen|klopapier|sitzbereich",
)
NUMB = (
    "taub*|taubheit*|tabheit*|taubgefuhl|gefuhllos*|gefuhlsstorung*|kein gefuhl|"
    "keine gefuhl|ohne gefuhl|weniger gefuhl|gefuhl verloren|gefuhlsverlust|spure nichts|"
    "spure nicht|merke nichts|pelzig*|eingeschlafen|abgestorben|wie betaubt|betaubt",
)
LEGS = ("bein*|beine|oberschenkel*|unterschenkel*|wade*|fuss|fusse|fuß|füße|knie*|schienbein*",)
BOTH = (
    "beide*|beiden|zwei|2|jedes|jedem",
    "links und rechts|rechts und links|beidseitig*|beidseits|auf beiden seiten|beide seiten",
)
SYMPTOM = (
    "schmerz*|schmerzen|tut weh|tun weh|weh|ischias*|ishias*|ischiass|ziehen|zieht|"
    "brennen|brennt|taub*|kribbel*|ameisenlaufen|stechen|sticht|strahlt|ausstrahl*|nerv*|"
    "elektrisch|einschiess*",
)
WEAK = (
    "schwach|schwache*|schwacher|schwäche|schwache|schwach*|kraftlos*|keine kraft|ohne kraft|"
    "kraft weg|kraft verloren|kraftverlust|knickt ein|knickt weg|knicke ein|sackt weg|"
    "gibt nach|versagt|versagen|wegknick*|einknick*|kann nicht heben|kann es nicht heben|"
    "knickt ~3 ein|knickt ~3 weg|knicke ~3 ein|gibt ~3 nach|geben ~3 nach|sackt ~3 weg|"
    "kann nicht bewegen|tragt mich nicht|tragt nicht|wie pudding|gummibein*|lahm*|gelahmt",
    "taub*|gefuhllos*|kein gefuhl|spure nicht",
)
FOOT = ("fuss|fusse|fuß|füße|fussspitze|zehen|zehe|knochel*",)
DROP = (
    "hangt|hangen|hangend|ziehe ~3 nach|zieht ~3 nach|schleif*|schlurf*|zieh* nach|klatscht|"
    "stolper*|bleibe hangen|"
    "bleibt hangen|hangen bleiben|kann nicht heben|nicht anheben|hebt nicht|fallt herab|"
    "kippt weg|heber*",
)

SIGNS: dict[str, Concept] = {
    "bladder": Concept(
        alone=(
            "inkontinen*|harninkontinenz|stuhlinkontinenz|einnassen|eingenasst|in die hose",
            "kann nicht pinkeln|kann nicht mehr pinkeln|kann nicht wasserlassen|"
            "kann kein wasser lassen|kann nicht urinieren|harnverhalt*|harnverhalt|"
            "kann die blase nicht|kann den stuhl nicht|kann den urin nicht|"
            "keine kontrolle uber die blase|keine kontrolle uber den darm|"
            "blase nicht mehr unter kontrolle|darm nicht mehr unter kontrolle",
            "katheter*|urin verlier*|verliere urin|verliere stuhl",
        ),
        pairs=((BLADDER, CONTROL),),
    ),
    "saddle": Concept(
        alone=("reithosenanasthesie|reithosenanästhesie|reithosen*|cauda*|kauda*",),
        pairs=((NUMB, SADDLE_AREA),),
    ),
    "both_legs": Concept(
        alone=(
            "beidseitiger ischias|beidseitige ischias|beidseitig ischias|ischias beidseitig|"
            "beide beine|in beide beine|in beiden beinen|beiden beinen|beidseitig in die beine|"
            "links und rechts im bein|in beide|bis in beide",
        ),
        pairs=((BOTH, LEGS), (("beidseitig*|beidseits|auf beiden seiten|beide seiten",), SYMPTOM)),
        unless=(
            "auf beiden beinen stehen|auf beiden beinen fest|beide hande|mit beiden handen|"
            "beide fusse auf",
        ),
    ),
    "weakness": Concept(
        alone=(
            "bein knickt ein|knie knickt ein|knie knickt weg|bein gibt nach|beine geben nach|"
            "bein versagt|beine versagen|kann das bein nicht heben|kann mein bein nicht heben|"
            "kann das bein nicht bewegen|gummibein*|bein ist lahm|lähmung*|lahmung*",
        ),
        pairs=((LEGS, WEAK),),
        unless=("schwache bauchmuskeln|schwacher rumpf|rumpf schwach|bauch schwach",),
    ),
    "foot_drop": Concept(
        alone=(
            "fussheberschwache|fußheberschwäche|fussheberparese|fußheberparese|fussheber*|"
            "fußheber*|spitzfuss|steppergang|hangefuss|hängefuß|fallfuss|fallfuß",
            "kann den fuss nicht heben|kann den fuß nicht heben|kann die fussspitze nicht|"
            "kann die zehen nicht heben|kann nicht auf den fersen|nicht auf den fersen laufen|"
            "schleife den fuss|schleife das bein|ziehe den fuss nach|ziehe das bein nach|"
            "fuss schleift|bleibe mit dem fuss hangen|stolpere uber meinen fuss",
        ),
        pairs=((FOOT, DROP),),
    ),
    "sexual": Concept(
        alone=(
            "erektion*|erection*|errektion*|erektil*|impoten*|keine erektion*|"
            "keine errektion*|kann nicht mehr kommen|potenz*|keine lust mehr|libido weg|"
            "libidoverlust|kein orgasmus|keinen orgasmus|kann nicht kommen|orgasmusstorung*|"
            "steht nicht mehr|krieg keinen hoch|kriege keinen hoch",
        ),
        pairs=(
            (
                ("sex|sexuell*|geschlechtsverkehr|intimitat|orgasmus|beischlaf",),
                (
                    "funktion*|problem*|storung*|kann nicht|verloren|verlust|taub*|gefuhllos*|"
                    "kein gefuhl|spure nichts|schwierig*|klappt nicht",
                ),
            ),
        ),
        unless=("stellung*|ist sex erlaubt|darf ich sex",),
    ),
    "fever": Concept(
        alone=(
            "fieber*|fiber|feber|fiebrig|fieberig|erhohte temperatur|temperatur erhoht|"
            "hohe temperatur|habe temperatur|schuttelfrost|schüttelfrost|frosteln|fröstel*|"
            "nachtschweiss|nachtschweiß|nachts schwitzen|schwitze nachts|grippig|"
            "38 grad|39 grad|40 grad",
        ),
        unless=(
            "draussen|draußen|wetter|raumtemperatur|kalt draussen|kuhlpack|wärmflasche|"
            "warmflasche|heisses bad|kein fieber|ohne fieber",
        ),
    ),
    "cancer": Concept(
        alone=(
            "krebs*|*krebs|karzinom*|carcinom*|tumor*|tumoren|geschwulst|chemo*|bestrahlung*|"
            "strahlentherapie|onkolog*|bosartig*|bösartig*|metasta*|lymphom|leukamie|"
            "leukämie|myelom|sarkom|knoten an der wirbelsaule",
            "ohne grund abgenommen|ohne diat abgenommen|ungewollt abgenommen|"
            "abgenommen|gewicht verloren|gewichtsverlust|nehme ab|verliere gewicht|"
            "~2 kilo abgenommen|~2 kg abgenommen|~2 kilo verloren|~2 kg verloren|"
            "kleidung ist weit|hose ist weit|appetitlos*|kein appetit|keinen appetit",
        ),
        unless=(
            "diat|diät|abnehmen will|abnehmen wollte|abnehmen muss|absichtlich|fitnessstudio|"
            "kalorien|zugenommen|mit absicht|krebsfrei seit",
        ),
        others=True,
    ),
    "trauma": Concept(
        alone=(
            "gesturzt|gestürzt|sturz|hingefallen|hingeflogen|gefallen|ausgerutscht|"
            "ausrutscher|gestolpert und gefallen|treppe runtergefallen|treppe hinunter|"
            "vom fahrrad|vom rad|vom pferd|auf den rucken gefallen|auf den rücken gefallen|"
            "auf den hintern gefallen|aufs steissbein|aufs steißbein|runtergefallen",
            "unfall|unfalls|autounfall|verkehrsunfall|motorradunfall|fahrradunfall|skiunfall|"
            "arbeitsunfall|zusammenstoss|zusammenstoß|auffahrunfall|schleudertrauma|angefahren",
        ),
        unless=(
            "ist gefallen auf|auf ~1 gefallen|schmerz ist gefallen|eingeschlafen|gefallen hat|"
            "gut gefallen|angst zu sturzen|angst vor einem sturz|aus versehen|zufallig|handy|"
            "telefon|ist mir ~4 gefallen|mir ist ~4 gefallen",
        ),
    ),
    "bones": Concept(
        alone=(
            "kortison*|cortison*|cortisol|kortikoid*|corticoid*|steroid*|sterioid*|prednison*|"
            "prednisolon*|predni*|dexamethason|methylprednisolon|decortin|urbason",
            "osteopor*|osteoporsoe|osteopenie|knochenschwund|bruchige knochen|brüchige knochen|"
            "schwache knochen|knochendichte|wirbelbruch|wirbelkorperbruch|fraktur*|"
            "gebrochen*|bruch",
        ),
        unless=("kein kortison|kortisonspritze in die schulter|leistenbruch|nabelbruch",),
        others=True,
    ),
}

LEG_WORDS = ("bein*|oberschenkel*|wade*|fuss|fuß|knie*|gesass|gesäß|po|hintern|hufte|hüfte",)
GONE = (
    "weg|verschwunden|vorbei|nicht mehr|nichts mehr|frei|ganz weg|komplett weg|aufgehort|"
    "keine|keinen",
)
MORE = ("mehr|starker|stärker|schlimmer|zunehm*",)

ANSWERS: dict[str, Concept] = {
    "worse": Concept(
        alone=(
            "schlimmer|schlimer|schlimmmer|schlechter|schelchter|schlecher|verschlimmert|"
            "verschlechtert|verschlechter*|verschlimm*|schlimmste",
            "breitet sich aus|breitet ~3 aus|ausgebreitet|ausbreit*|strahlt weiter|strahlt mehr|"
            "strahlt jetzt|"
            "strahlt aus|ausstrahl*|weiter runter|weiter nach unten|tiefer|zieht runter|"
            "zieht weiter|bis in den fuss|bis in den fuß|bis in die zehen|bis in die wade|"
            "bis zum fuss|bis zum knochel|ins bein|in das bein|in die beine|ins ganze bein",
            "zugenommen|nimmt zu|starker geworden|stärker geworden|intensiver|heftiger|"
            "verstarkt|verstärkt|schub|verschlimmert",
        ),
        pairs=((MORE, LEG_WORDS),),
        negation_reach=2,
    ),
    "worse+more": Concept(
        alone=("tut mehr weh|mehr schmerzen|mehr schmerz|starkere schmerzen|stärkere schmerzen",),
        unless=("rucken|rücken|kreuz|lende*|wirbelsaule|wirbelsäule",),
        negation_reach=2,
    ),
    "leg_gone": Concept(
        alone=(
            "nur noch der rucken|nur noch rucken|nur der rucken|nur im rucken|nur noch im rucken|"
            "nur noch rücken|nur noch der rücken|nur noch im rücken|nur rücken|nur rucken|"
            "nur noch kreuz|nur noch lendenwirbel*|nur noch unten im rucken",
        ),
        pairs=((LEG_WORDS, GONE),),
        unless=("alles weg|ganz schmerzfrei|komplett schmerzfrei|gar keine schmerzen",),
    ),
    "all_gone": Concept(
        alone=(
            "schmerzfrei|schmerzfei|alles weg|alle schmerzen weg|schmerz ist weg|"
            "schmerzen sind weg|"
            "keine schmerzen|keine schmerzen mehr|kein schmerz|tut nichts mehr weh|"
            "tut nicht mehr weh|nichts tut weh|gar nichts|komplett weg|ganz weg|"
            "verschwunden|null schmerzen",
        ),
        unless=("rucken|rücken|kreuz|nur|bein",),
    ),
    "easing": Concept(
        alone=(
            "besser|beser|bessser|gebessert|verbessert|verbesser*|leichter|weniger|nachgelassen|"
            "lasst nach|lässt nach|lasst etwas nach|geringer|schwacher|schwächer|milder|ruhiger|"
            "erleichter*|zentralisier*|hilft|geholfen|abgenommen|gesunken",
            "hoch ins|hoch in den|hoch zum|hoch zur|nach oben gewandert|hochgewandert|"
            "richtung rucken|richtung rücken|zum rucken|zum rücken|in den rucken|in den rücken|"
            "hoch in den|naher an der wirbelsaule|näher an der wirbelsäule|"
            "mehr im rucken|mehr im rücken|ruckenschmerz mehr|rücken tut mehr weh|"
            "zieht sich zuruck|zieht sich zurück|wandert nach oben|zieht hoch",
        ),
    ),
    "same": Concept(
        alone=(
            "gleich|genauso|unverandert|unverändert|keine veranderung|keine veränderung|"
            "nichts verandert|nichts verändert|nichts hat sich verandert|wie vorher|wie immer|"
            "weder besser noch schlechter|nicht besser nicht schlechter|kein unterschied|"
            "keinen unterschied|ungefahr gleich|ungefähr gleich|immer noch gleich|nichts neues",
        ),
    ),
}

BODY: dict[str, Concept] = {
    "foot": Concept(
        alone=(
            "fuss|fuß|fusse|füße|fuß|zeh|zehe|zehen|knochel|knöchel|ferse|fussohle|fußsohle|"
            "sohle|fussrucken|fußrücken|ganzes bein|ganze bein|bis ganz unten",
        )
    ),
    "calf": Concept(
        alone=(
            "wade|waden|schienbein|unterschenkel|unter dem knie|unterhalb des knies|"
            "unterhalb vom knie|hinter dem knie|kniekehle|knie",
        )
    ),
    "thigh": Concept(
        alone=(
            "oberschenkel*|oberschenkl*|oberschekel|schenkel|uber dem knie|über dem knie|"
            "oberhalb des knies|oberhalb vom knie",
        )
    ),
    "buttock": Concept(
        alone=("gesass|gesäß|gesäss|po|popo|pobacke*|hintern|hufte|hüfte|arsch|piriformis",)
    ),
    "back_centre": Concept(
        alone=(
            "mitte des ruckens|mitte des rückens|mitte vom rucken|mitte vom rücken|mittig|"
            "in der mitte|wirbelsaule|wirbelsäule|zentral|beide seiten des ruckens|"
            "quer uber den rucken",
        )
    ),
    "back_side": Concept(
        alone=(
            "eine seite|einer seite|einseitig|linke seite|rechte seite|links im rucken|"
            "rechts im rucken|seitlich|seite",
        )
    ),
    "back": Concept(
        alone=(
            "rucken|rücken|ruecken|kreuz|lende*|lendenwirbel*|ldw|unterer rucken|"
            "unterer rücken|lws",
        )
    ),
}

NUMBERS = {
    "null": 0,
    "nichts": 0,
    "eins": 1,
    "ein": 1,
    "eine": 1,
    "zwei": 2,
    "drei": 3,
    "vier": 4,
    "funf": 5,
    "fuenf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zehn": 10,
}

SET_WORDS: dict[str, Concept] = {
    "stop": Concept(
        alone=("stopp|stop|stoppen|halt|aufhoren|aufhören|abbrechen|abbruch|pause|genug|ende",),
        unless=("nicht aufhoren|ohne pause",),
    ),
    "done": Concept(alone=("fertig|erledigt|geschafft|durch|vorbei|das wars|das war's",)),
    "steps": Concept(alone=("schritte|zeig mir die schritte|schritt fur schritt|wie geht das",)),
    "press": Concept(alone=("liegestutze|liegestütze|press-ups|jetzt die liegestutze",)),
    "repeat": Concept(
        alone=("nochmal|noch mal|nochmals|wiederholen|wiederhole|noch einmal|wie bitte",)
    ),
    "next": Concept(
        alone=("weiter|weiter bitte|nachster|nächster|nachste|nächste|ok|okay|los|bereit|gut",)
    ),
}

LANGUAGE = Language(
    code="de",
    signs=SIGNS,
    negations=words(
        "kein keine keinen keiner keinem keines nicht nie niemals ohne weder nichts nix null"
    ),
    fine_after=(
        "ok|okay|normal|gut|unauffallig|unauffällig|problemlos|in ordnung|alles gut|"
        "funktioniert|funktionieren|unverandert|kein problem",
        "ist ok|ist gut|ist normal|sind normal|sind ok|ist in ordnung|sind in ordnung",
    ),
    clause_breaks=words("aber jedoch doch sondern obwohl ausser außer allerdings"),
    negation_breaks=words("und auch sowie dann"),
    relatives=words(
        "mutter mama vater papa schwester bruder frau mann ehemann ehefrau partner partnerin "
        "tante onkel cousin cousine oma opa grossmutter großmutter grossvater großvater sohn "
        "tochter freund freundin kollege kollegin nachbar nachbarin familie hund katze"
    ),
    answers=ANSWERS,
    body=BODY,
    from_words=words("von vom aus"),
    to_words=words("zu zum zur in ins bis nach jetzt richtung"),
    numbers=NUMBERS,
    weak_numbers=frozenset({"eins", "ein", "eine", "nichts"}),
    units=(
        "stunde*|std|h|min|minute*|sekunde*|tag|tage|tagen|woche*|monat*|jahr*|wiederholung*|"
        "mal|satz|satze|sätze|serie*|kg|kilo*|pfund|km|cm|uhr|prozent|beine|beinen|seiten",
    ),
    units_before=("tag|woche|schritt|satz|nummer|stufe",),
    out_of=("von|aus|outof",),
    now_words=words("jetzt jetz aktuell heute bei ist nun"),
    set_words=SET_WORDS,
    yes=Concept(alone=("ja|jaa|jap|jo|genau|richtig|stimmt|korrekt|klar|jawohl|sicher",)),
    no_typos=words("schlafen schlaf gefallen gestern"),
)
