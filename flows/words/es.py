"""Spanish: how people write about the warning signs, the check-in and a set.

Written without accents as often as with them (text is folded, so "vejiga"
and "véjiga" are one word), with "no puedo" for can't, and the body words of
Spain and Latin America ("culo", "cola", "pompis", "nalga").
"""

from __future__ import annotations

from flows.words.lexicon import Concept, Language, words

BLADDER = (
    "vejiga*|vegiga*|bejiga*|intestin*|esfinter*|orina*|orinar|orine|orino|pis|pipi|"
    "hacer pis|mear|meo|meando|heces|caca|deposicion*|defecar|hacer de vientre|evacuar|"
    "ir al bano|ir al baño|el bano|el baño|esfinteres",
)
CONTROL = (
    "control*|controlar|contol*|aguant*|retener|retengo|se me escapa*|escapa*|perd*|"
    "incontinen*|fuga*|goteo|gotea|mojo|mojado|mojar|me hago|me lo hago|"
    "accidente*|urgencia|retencion",
    "no puedo ~1 control*|no puedo aguant*|no aguanto|no retengo|no controlo|no puedo reten*|"
    "no logro control*|"
    "no consigo control*|no puedo orinar|no puedo hacer|no puedo ir|no siento cuando|"
    "no noto cuando|"
    "no se cuando|no puedo vaciar|no puedo aguantar|no controlo|sin control|"
    "perdi el control|perdida de control",
    "problema*|dificultad*|trastorno*|me cuesta",
    "dormid*|adormecid*|entumecid*|insensib*",
)
SADDLE_AREA = (
    "ingle*|genital*|partes intimas|partes|entrepierna|perine*|silla de montar|silla|"
    "culo|cola|trasero|nalga*|gluteo*|pompis|poto|ano|anal|recto|vagina|pene|"
    "testiculo*|huevos|cara interna de los muslos|cara interna del muslo|"
    "parte interna del muslo|parte interna de los muslos|interior de los muslos|"
    "entre las piernas|ahi abajo|al limpiarme|cuando me limpio|papel higienico",
)
NUMB = (
    "dormid*|duerme|duermen|se me duerme*|adormec*|adormecimiento|no siento nada|no noto nada|"
    "entumec*|entumid*|insensib*|acorchad*|hormigue* y dormid*|"
    "sin sensibilidad|sin sensacion|perdida de sensibilidad|perdi sensibilidad|"
    "perdida de sensacion|no siento|no noto|no tengo sensibilidad|no tengo sensacion|"
    "sensacion rara|muert*|anestesi*|insensibilidad",
)
LEGS = ("pierna*|piernas|muslo*|pantorrilla*|gemelo*|pie|pies|rodilla*|espinilla*",)
BOTH = (
    "ambas|ambos|las dos|los dos|dos|2|cada|las 2",
    "izquierda y derecha|derecha y izquierda|ambos lados|los dos lados|cada lado|las dos partes",
)
SYMPTOM = (
    "dolor*|duele*|duel*|ciatica*|ciatico*|siatica*|ciatca|corrientazo*|calambre*|"
    "quema*|ardor|entumec*|dormid*|hormigue*|punzada*|pinchazo*|irradia*|nervio*",
)
WEAK = (
    "debil*|debilidad|devil*|flojera|floja|flojo|sin fuerza*|pierde fuerza|perdi fuerza|"
    "perdida de fuerza|no tengo fuerza|no responde|se dobla|se me dobla|falla|fallan|"
    "me falla|cede|se cae|se me duerme*|duerme|no la puedo levantar|no puedo levantar|"
    "no puedo mover|"
    "no me sostiene|no me aguanta|pesada|de trapo|gelatina",
    "dormid*|entumec*|sin sensibilidad|no la siento|no siento",
)
FOOT = ("pie|pies|punta del pie|dedos del pie|tobillo*",)
DROP = (
    "cae|caido|caida|arrastr*|cuelga|colgando|tropiez*|tropec*|engancha*|"
    "no puedo levantar|no levanta|no sube|flojo|pie caido|pie pendulo",
)

SIGNS: dict[str, Concept] = {
    "bladder": Concept(
        alone=(
            "incontinen*",
            "me hago pis|me hice pis|me orine|me meo|me meé|me hago encima|me hice encima|"
            "me lo hago encima|me cague|me cago encima|moje la cama|mojo la cama",
            "no puedo orinar|no puedo mear|no puedo hacer pis|no puedo hacer caca|"
            "no logro orinar|no puedo ir al bano|sin control de esfinteres|"
            "perdida de control de esfinteres|no controlo la vejiga|no controlo el pis",
            "sonda*|perdidas de orina|perdida de orina|escapes de orina|se me escapa el pis|"
            "se me escapa la orina|se me escapa la caca",
        ),
        pairs=((BLADDER, CONTROL),),
    ),
    "saddle": Concept(
        alone=("anestesia en silla de montar|silla de montar|cauda equina|cola de caballo",),
        pairs=((NUMB, SADDLE_AREA),),
    ),
    "both_legs": Concept(
        alone=(
            "ciatica bilateral|ciatica en las dos|ciatica en ambas|las dos piernas|ambas piernas|"
            "en las dos|en ambas|por las dos|por ambas|las 2 piernas|ambos lados de las piernas",
        ),
        pairs=((BOTH, LEGS), (("ambos lados|los dos lados|cada lado",), SYMPTOM)),
        unless=(
            "apoyar las dos|apoyo las dos|de pie sobre las dos|con las dos manos|ambas manos",
        ),
    ),
    "weakness": Concept(
        alone=(
            "se me dobla la rodilla|se me dobla la pierna|me falla la pierna|"
            "me fallan las piernas|"
            "la pierna no me sostiene|no puedo levantar la pierna|no puedo mover la pierna|"
            "pierna de trapo|pierna muerta",
        ),
        pairs=((LEGS, WEAK),),
        unless=("abdomen debil|abdominales debiles|core debil|zona media debil",),
    ),
    "foot_drop": Concept(
        alone=(
            "pie caido|pie en gota|pie pendulo|caida del pie|pie equino|steppage",
            "arrastro el pie|arrastro la pierna|arrastrando el pie|arrastrando la pierna|"
            "arrastra el pie|no puedo levantar el pie|no puedo levantar la punta|"
            "no puedo levantar los dedos|no puedo caminar de talones|no puedo andar de talones|"
            "tropiezo con el pie|se me engancha el pie|se me cae el pie|el pie me cuelga",
        ),
        pairs=((FOOT, DROP),),
        unless=("se me cae el movil|se me cae algo|se cayo al suelo",),
    ),
    "sexual": Concept(
        alone=(
            "ereccion*|ereción|erecsion*|erecion*|impoten*|no tengo ereccion*|sin ereccion*|"
            "no logro ~1 ereccion*|no consigo ~1 ereccion*|disfuncion erectil|disfunción|"
            "no se me levanta|no se me para|no se me pone dura|sin libido|perdi la libido|"
            "no llego al orgasmo|no tengo orgasmos|sin orgasmo*|anorgasmia|"
            "no siento nada en el sexo",
        ),
        pairs=(
            (
                ("sexo|sexual*|relaciones|intimidad|orgasmo*|coito",),
                (
                    "funcion*|problema*|dificultad*|no puedo|perdi|perdida|insensib*|dormid*|"
                    "no siento|no noto|disfuncion|cuesta",
                ),
            ),
        ),
        unless=("posturas para el sexo|posicion para el sexo|puedo tener sexo|es seguro",),
    ),
    "fever": Concept(
        alone=(
            "fiebre*|fievre|fibre|febril|calentura|temperatura alta|tengo temperatura|"
            "temperatura de|escalofrio*|escalofrios|tiritona|tiritando|sudores nocturnos|"
            "sudo por la noche|sudoracion nocturna|destemplad*|tengo 38|tengo 39|tengo 40",
        ),
        unless=(
            "fuera|afuera|el tiempo|el clima|temperatura ambiente|hace frio|bolsa de hielo|"
            "bolsa de agua caliente|ducha caliente|sin fiebre|no tengo fiebre",
        ),
    ),
    "cancer": Concept(
        alone=(
            "cancer*|canser*|cáncer|tumor*|tumores|quimio*|radioterapia|oncolog*|malign*|"
            "metasta*|linfoma|leucemia|mieloma|carcinoma|sarcoma|bulto en la columna",
            "perdi peso|perdido peso|pierdo peso|perdiendo peso|bajado de peso|baje de peso|"
            "bajando de peso|perdida de peso|adelgace|adelgazado|adelgazando|he adelgazado|"
            "perdi ~2 kilos|perdido ~2 kilos|bajado ~2 kilos|baje ~2 kilos|perdi ~2 kg|"
            "la ropa me queda grande|sin apetito|perdi el apetito",
        ),
        unless=(
            "dieta|a regimen|gimnasio|gym|calorias|intentando|quiero bajar|quiero perder|"
            "tengo que bajar|debo bajar|subi de peso|gane peso|engorde|a proposito",
        ),
        others=True,
    ),
    "trauma": Concept(
        alone=(
            "me cai|me caí|caida|caída|me he caido|me caigo|cai de|cai por|me resbale|"
            "resbalon|tropece y me cai|golpe fuerte|golpe en la espalda|"
            "me cai de espaldas|cai de culo|cai sentad*|caer de|me tiraron",
            "accidente*|choque|chocamos|me chocaron|atropell*|latigazo cervical|"
            "accidente de coche|accidente de moto|accidente de trafico|accidente laboral",
            "por las escaleras|de la bici|de la moto|del caballo",
        ),
        unless=(
            "caida del pelo|me cai dormid*|sin querer|por accidente|miedo a caer|"
            "miedo de caerme|cayo el dolor|bajo el dolor",
        ),
    ),
    "bones": Concept(
        alone=(
            "corticoide*|corticoesteroide*|corticosteroide*|esteroide*|estoroide*|cortisona|"
            "prednison*|prednisolon*|dexametasona|metilprednisolona|urbason|dacortin|"
            "osteoporo*|osteoporsis|osteopenia|huesos debiles|huesos fragiles|"
            "densidad osea|perdida osea|fractura*|vertebra rota|aplastamiento vertebral",
        ),
        unless=("sin corticoides|infiltracion en el hombro",),
        others=True,
    ),
}

LEG_WORDS = ("pierna*|muslo*|pantorrilla*|gemelo*|pie|pies|rodilla*|nalga*|gluteo*|cadera",)
BACK_WORDS = ("espalda|lumbar*|columna|riñones|rinones|cintura",)
GONE = (
    "se fue|se ha ido|desaparec*|ya no|nada|se quito|se me quito|quitado|ido|paso|libre|"
    "ninguno|ninguna",
)
MORE = ("mas|mas fuerte|aumenta*|aumento",)

ANSWERS: dict[str, Concept] = {
    "worse": Concept(
        alone=(
            "peor*|empeor*|empeora|empeorado|emporado|enpeor*|pior",
            "se extiende|se extendio|extendiendo|se expande|se esta extendiendo|se propaga|"
            "se irradia|irradia*|baja mas|bajando mas|ha bajado mas|mas abajo|bajo hasta|"
            "hasta el pie|hasta los dedos|hasta el tobillo|hasta la pantorrilla|"
            "por toda la pierna|a la pierna|hacia la pierna|hacia el pie|corre por la pierna|"
            "aumenta*|aumento el dolor|se intensific*|crisis|brote|agrav*",
        ),
        pairs=((MORE, LEG_WORDS),),
        negation_reach=2,
    ),
    "worse+more": Concept(
        alone=("duele mas|me duele mas|mas dolor|mas doloroso|mas fuerte el dolor",),
        unless=("espalda|lumbar*|columna|cintura",),
        negation_reach=2,
    ),
    "leg_gone": Concept(
        alone=(
            "solo la espalda|solo en la espalda|solamente la espalda|solo me duele la espalda|"
            "solo lumbar|solo en la zona lumbar|unicamente la espalda|nada mas la espalda|"
            "solo en la cintura",
        ),
        pairs=((LEG_WORDS, GONE),),
        unless=("todo el dolor|ningun dolor|nada de dolor|ya no me duele nada",),
    ),
    "all_gone": Concept(
        alone=(
            "sin dolor|ya no duele|no me duele nada|ya no me duele nada|ningun dolor|"
            "nada de dolor|"
            "el dolor se fue|desaparecio el dolor|se fue el dolor|se fue todo|todo bien|"
            "cero dolor|desaparecio todo|se quito todo|no siento dolor|libre de dolor|"
            "se me quito el dolor|ya no tengo dolor|no tengo dolor",
        ),
        unless=("espalda|lumbar|solo|pierna",),
    ),
    "easing": Concept(
        alone=(
            "mejor|mejorando|mejora|mejoro|mejoria|megor|menos|menor|alivi*|se calm*|"
            "disminu*|bajo el dolor|ha bajado|bajando|centraliz*|sube hacia la espalda|"
            "mas suave|mas leve|mas llevadero|ayudo|ayuda|ayudando",
            "subio a|subio hasta|subio al|se subio|se ha subido a|"
            "hacia la espalda|a la espalda|en la espalda mas|mas en la espalda|"
            "hacia la columna|mas cerca de la columna|se ha subido|subio a la espalda|"
            "mas dolor de espalda|me duele mas la espalda",
        ),
        unless=("mas o menos",),
    ),
    "same": Concept(
        alone=(
            "igual|lo mismo|sigue igual|todo igual|sin cambio*|ningun cambio|nada cambio|"
            "no cambio|no ha cambiado|mas o menos igual|parecido|como antes|ni mejor ni peor|"
            "no noto diferencia|sin diferencia|ninguna diferencia|nada nuevo",
        ),
    ),
}

BODY: dict[str, Concept] = {
    "foot": Concept(
        alone=(
            "pie|pies|dedos del pie|dedo gordo|dedos|tobillo*|talon*|planta del pie|planta|"
            "empeine|toda la pierna|pierna entera",
        )
    ),
    "calf": Concept(
        alone=(
            "pantorrilla*|gemelo*|espinilla*|debajo de la rodilla|bajo la rodilla|"
            "por debajo de la rodilla|pierna baja|parte baja de la pierna|detras de la rodilla|"
            "rodilla*|canilla",
        )
    ),
    "thigh": Concept(
        alone=("muslo*|muzlo*|isquio*|encima de la rodilla|arriba de la rodilla|cuadricep*",)
    ),
    "buttock": Concept(
        alone=("nalga*|gluteo*|culo|trasero|cola|pompis|poto|cadera|caderas|piriforme",)
    ),
    "back_centre": Concept(
        alone=(
            "centro de la espalda|medio de la espalda|mitad de la espalda|columna|"
            "en el centro|en el medio|central|ambos lados de la espalda",
        )
    ),
    "back_side": Concept(
        alone=(
            "un lado de la espalda|lado de la espalda|un lado|lado izquierdo|lado derecho|"
            "de un lado|costado",
        )
    ),
    "back": Concept(alone=("espalda|lumbar*|cintura|riñones|rinones|zona baja|espalda baja",)),
}

NUMBERS = {
    "cero": 0,
    "nada": 0,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
}

SET_WORDS: dict[str, Concept] = {
    "stop": Concept(
        alone=("parar|paro|stop|alto|basta|detener|detente|cancelar|terminar ya|pausa",),
        unless=("no pares|sin parar",),
    ),
    "done": Concept(
        alone=("hecho|listo|lista|termine|terminado|acabe|acabado|ya esta|completado|fin",)
    ),
    "steps": Concept(alone=("pasos|muestrame los pasos|ensename|como se hace|paso a paso",)),
    "press": Concept(alone=("flexiones|extensiones|ahora las flexiones|las extensiones",)),
    "repeat": Concept(
        alone=("otra vez|de nuevo|repite|repetir|repetir paso|repitelo|una vez mas|como dices",)
    ),
    "next": Concept(
        alone=("siguiente|sigue|seguir|sigamos|adelante|vale|ok|okey|dale|continua|continuar",)
    ),
}

LANGUAGE = Language(
    code="es",
    signs=SIGNS,
    negations=words("no ni nunca sin tampoco nada ningun ninguna ninguno jamas"),
    fine_after=(
        "bien|normal|normales|ok|perfecto|perfecta|sin problema*|en orden|correcto",
        "esta bien|estan bien|va bien|funciona bien|funcionan bien",
    ),
    clause_breaks=words("pero aunque sino excepto salvo embargo"),
    negation_breaks=words("y e tambien ademas luego"),
    relatives=words(
        "madre mama padre papa hermana hermano esposa esposo marido mujer pareja tia tio "
        "primo prima abuela abuelo hijo hija amigo amiga amigos vecino vecina suegra suegro "
        "familia familiar perro gato"
    ),
    answers=ANSWERS,
    body=BODY,
    from_words=words("de desde del"),
    to_words=words("a al hasta hacia ahora en"),
    numbers=NUMBERS,
    weak_numbers=frozenset({"uno", "una", "nada"}),
    units=(
        "hora*|h|min|minuto*|segundo*|dia|dias|semana*|mes|meses|ano|anos|repeticion*|rep|"
        "reps|serie*|vez|veces|kg|kilo*|libra*|km|cm|pasos|am|pm|por ciento|piernas|lados|pies",
    ),
    units_before=("dia|semana|paso|serie|numero|nivel de",),
    out_of=("de|sobre|outof|de 10",),
    now_words=words("ahora actualmente hoy es esta en un"),
    set_words=SET_WORDS,
    yes=Concept(alone=("si|sí|sii|claro|correcto|exacto|asi es|eso es|afirmativo|por supuesto",)),
    no_typos=words("nunca nueve muela pierde"),
)
