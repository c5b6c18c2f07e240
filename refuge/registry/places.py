"""Syrian places of origin with OCHA p-codes (COD-AB admin 1 and the admin 2 districts of the coast
and its hinterland, where the families come from). Loaded by migration 0002; later releases of
the COD can be loaded over it by p-code. Check the codes against the current HDX release before
exchanging data with partners that key on them."""

GOVERNORATES = [
    # p-code, English, Arabic, Russian
    ("SY01", "Damascus", "دمشق", "Дамаск"),
    ("SY02", "Aleppo", "حلب", "Алеппо"),
    ("SY03", "Rural Damascus", "ريف دمشق", "Риф-Дамаск"),
    ("SY04", "Homs", "حمص", "Хомс"),
    ("SY05", "Hama", "حماة", "Хама"),
    ("SY06", "Lattakia", "اللاذقية", "Латакия"),
    ("SY07", "Idleb", "إدلب", "Идлиб"),
    ("SY08", "Al-Hasakeh", "الحسكة", "Хасеке"),
    ("SY09", "Deir-ez-Zor", "دير الزور", "Дейр-эз-Зор"),
    ("SY10", "Tartous", "طرطوس", "Тартус"),
    ("SY11", "Ar-Raqqa", "الرقة", "Ракка"),
    ("SY12", "Dar'a", "درعا", "Дараа"),
    ("SY13", "As-Sweida", "السويداء", "Эс-Сувейда"),
    ("SY14", "Quneitra", "القنيطرة", "Кунейтра"),
]

DISTRICTS = [
    ("SY0600", "Lattakia", "اللاذقية", "Латакия"),
    ("SY0601", "Al-Haffa", "الحفة", "Эль-Хаффа"),
    ("SY0602", "Jablah", "جبلة", "Джебла"),
    ("SY0603", "Al-Qardaha", "القرداحة", "Кардаха"),
    ("SY1000", "Tartous", "طرطوس", "Тартус"),
    ("SY1001", "Banyas", "بانياس", "Банияс"),
    ("SY1002", "Safita", "صافيتا", "Сафита"),
    ("SY1003", "Dreikish", "الدريكيش", "Дрейкиш"),
    ("SY1004", "Sheikh Badr", "الشيخ بدر", "Шейх-Бадр"),
    ("SY0500", "Hama", "حماة", "Хама"),
    ("SY0501", "As-Suqaylabiyah", "السقيلبية", "Скелбия"),
    ("SY0502", "Masyaf", "مصياف", "Масьяф"),
    ("SY0503", "Mhardeh", "محردة", "Мхарде"),
    ("SY0504", "As-Salamiyeh", "السلمية", "Саламия"),
    ("SY0400", "Homs", "حمص", "Хомс"),
    ("SY0401", "Al Makhrim", "المخرم", "Эль-Мухрим"),
    ("SY0402", "Al-Qusayr", "القصير", "Эль-Кусейр"),
    ("SY0403", "Ar-Rastan", "الرستن", "Эр-Растан"),
    ("SY0404", "Tadmor", "تدمر", "Тадмор"),
    ("SY0405", "Tall Kalakh", "تلكلخ", "Телль-Калах"),
]
