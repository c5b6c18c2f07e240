"""Syrian names as a clerk would meet them, in Arabic script with a common Latin and Russian form.

Pure data, no Django: the registration form suggests Latin and Cyrillic spellings from it, and
the demo population and the matching benchmark's generator draw their people from it.
Weights are rough relative frequencies (Muhammad is far more common than Yazan), enough to make
common names collide as often as they do in a real registry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Name:
    arabic: str
    latin: str
    cyrillic: str
    weight: int = 1


def _names(rows: str) -> tuple[Name, ...]:
    names = []
    for line in rows.strip().splitlines():
        arabic, latin, cyrillic, weight = (part.strip() for part in line.split("|"))
        names.append(Name(arabic, latin, cyrillic, int(weight)))
    return tuple(names)


MALE_GIVEN = _names(
    """
    محمد | Mohammed | Мухаммед | 60
    أحمد | Ahmad | Ахмад | 30
    علي | Ali | Али | 28
    حسن | Hassan | Хасан | 18
    حسين | Hussein | Хусейн | 16
    محمود | Mahmoud | Махмуд | 14
    خالد | Khaled | Халед | 12
    عبد الله | Abdullah | Абдулла | 12
    إبراهيم | Ibrahim | Ибрагим | 10
    يوسف | Youssef | Юсеф | 10
    مصطفى | Mustafa | Мустафа | 9
    عمر | Omar | Омар | 8
    سليمان | Suleiman | Сулейман | 8
    عيسى | Issa | Иса | 6
    جعفر | Jaafar | Джафар | 6
    حيدر | Haidar | Хайдар | 7
    سامر | Samer | Самер | 6
    بسام | Bassam | Бассам | 5
    غسان | Ghassan | Гассан | 5
    نزار | Nizar | Низар | 5
    رامي | Rami | Рами | 6
    فادي | Fadi | Фади | 6
    وسيم | Wassim | Вассим | 5
    باسل | Basel | Басель | 5
    ماهر | Maher | Махер | 5
    جميل | Jamil | Джамиль | 4
    كمال | Kamal | Камаль | 4
    عادل | Adel | Адель | 4
    نبيل | Nabil | Набиль | 4
    منير | Munir | Мунир | 3
    عبد الرحمن | Abdulrahman | Абдуррахман | 5
    عبد الكريم | Abdulkarim | Абдулкарим | 4
    عبد الرزاق | Abdulrazzaq | Абдураззак | 2
    طارق | Tareq | Тарек | 4
    زياد | Ziad | Зияд | 4
    رياض | Riad | Рияд | 3
    شادي | Shadi | Шади | 4
    هاني | Hani | Хани | 3
    مازن | Mazen | Мазен | 3
    يزن | Yazan | Язан | 4
    ليث | Laith | Лейс | 3
    قاسم | Qasim | Касим | 3
    صالح | Saleh | Салех | 4
    جمال | Jamal | Джамаль | 4
    وائل | Wael | Ваиль | 4
    أيمن | Ayman | Айман | 4
    أنس | Anas | Анас | 3
    مجد | Majd | Мажд | 3
    علاء | Alaa | Алаа | 3
    حسام | Hussam | Хусам | 3
    نادر | Nader | Надер | 3
    منذر | Munzer | Мунзер | 2
    ثائر | Thaer | Саер | 2
    غياث | Ghiath | Гияс | 2
    هيثم | Haitham | Хайсам | 3
    تيسير | Taysir | Тайсир | 2
    نضال | Nidal | Нидаль | 2
    سومر | Somar | Сомар | 2
    آدم | Adam | Адам | 3
    كرم | Karam | Карам | 2
    """
)

FEMALE_GIVEN = _names(
    """
    فاطمة | Fatima | Фатима | 25
    مريم | Maryam | Марьям | 15
    زينب | Zainab | Зейнаб | 12
    خديجة | Khadija | Хадиджа | 8
    آمنة | Amina | Амина | 8
    رنا | Rana | Рана | 7
    هدى | Huda | Худа | 7
    سعاد | Suad | Суад | 6
    نور | Nour | Нур | 9
    رشا | Rasha | Раша | 6
    لينا | Lina | Лина | 7
    ريم | Reem | Рим | 7
    سلمى | Salma | Сальма | 6
    هبة | Hiba | Хиба | 6
    ديما | Dima | Дима | 5
    علا | Ola | Ола | 5
    سوسن | Sawsan | Саусан | 4
    منى | Mona | Муна | 6
    غادة | Ghada | Гада | 5
    سمر | Samar | Самар | 5
    وفاء | Wafaa | Вафа | 5
    أمل | Amal | Амаль | 6
    ابتسام | Ibtisam | Ибтисам | 3
    نسرين | Nisreen | Нисрин | 4
    رهف | Rahaf | Рахаф | 4
    جنى | Jana | Джана | 4
    شهد | Shahd | Шахд | 3
    بتول | Batoul | Батуль | 3
    رغد | Raghad | Рагад | 3
    ياسمين | Yasmin | Ясмин | 4
    سناء | Sanaa | Сана | 3
    ليلى | Layla | Лейла | 5
    نادية | Nadia | Надия | 4
    رزان | Razan | Разан | 3
    حلا | Hala | Хала | 3
    ماريا | Maria | Мария | 2
    عفاف | Afaf | Афаф | 2
    إيمان | Iman | Иман | 4
    رؤى | Ruaa | Руа | 2
    تالا | Tala | Тала | 2
    """
)

FAMILY = _names(
    """
    حسن | Hassan | Хасан | 12
    علي | Ali | Али | 10
    إبراهيم | Ibrahim | Ибрагим | 7
    الأسعد | Al-Asaad | аль-Асаад | 5
    سليمان | Suleiman | Сулейман | 7
    ديب | Deeb | Диб | 6
    محمد | Mohammed | Мухаммед | 6
    يونس | Younes | Юнес | 5
    عيسى | Issa | Иса | 5
    الخطيب | Al-Khatib | аль-Хатиб | 5
    إسماعيل | Ismail | Исмаил | 5
    عباس | Abbas | Аббас | 5
    شاهين | Shaheen | Шахин | 4
    الحسن | Al-Hassan | аль-Хасан | 4
    صقر | Saqr | Сакр | 4
    خضور | Khaddour | Хаддур | 4
    جديد | Jadid | Джадид | 3
    ميهوب | Mayhoub | Майхуб | 3
    بركات | Barakat | Баракат | 4
    داود | Daoud | Дауд | 4
    زيدان | Zeidan | Зейдан | 3
    ناصر | Nasser | Насер | 4
    رستم | Rustom | Рустом | 3
    الشيخ | Al-Sheikh | аш-Шейх | 3
    مخلوف | Makhlouf | Махлуф | 3
    حيدر | Haidar | Хайдар | 4
    العلي | Al-Ali | аль-Али | 4
    حمود | Hammoud | Хаммуд | 4
    سلوم | Salloum | Саллум | 3
    عثمان | Othman | Осман | 3
    نعمان | Noaman | Нуман | 2
    غانم | Ghanem | Ганем | 3
    الحلبي | Al-Halabi | аль-Халаби | 3
    قاسم | Qasem | Касем | 3
    منصور | Mansour | Мансур | 4
    عبد الله | Abdullah | Абдулла | 4
    عمران | Omran | Омран | 3
    بدور | Baddour | Баддур | 2
    عجيب | Ajeeb | Аджиб | 2
    كنعان | Kanaan | Канаан | 3
    مرهج | Marhaj | Мархадж | 2
    الجندي | Al-Jundi | аль-Джунди | 3
    شحادة | Shehadeh | Шехаде | 3
    الأحمد | Al-Ahmad | аль-Ахмад | 4
    درويش | Darwish | Дарвиш | 3
    خليل | Khalil | Халиль | 4
    زهرة | Zahra | Захра | 2
    بلال | Bilal | Билаль | 2
    سعيد | Saeed | Саид | 4
    عطية | Attieh | Аттия | 2
    نجم | Najm | Наджм | 3
    حداد | Haddad | Хаддад | 3
    خير بك | Khayr Bek | Хейр Бек | 2
    الصالح | Al-Saleh | ас-Салех | 3
    ونوس | Wannous | Ваннус | 2
    معلا | Mualla | Муалла | 2
    فاضل | Fadel | Фадель | 2
    الياس | Elias | Ильяс | 2
    بيطار | Bitar | Битар | 2
    حمدان | Hamdan | Хамдан | 3
    جابر | Jaber | Джабер | 2
    الحاج | Al-Hajj | аль-Хадж | 2
    سلامة | Salameh | Салама | 2
    عمار | Ammar | Аммар | 2
    مرعي | Mareei | Маръи | 1
    الخير | Al-Khayer | аль-Хайер | 2
    شعبان | Shaaban | Шаабан | 2
    رمضان | Ramadan | Рамадан | 2
    نصور | Nassour | Нассур | 2
    ياسين | Yassin | Ясин | 2
    طعمة | Taameh | Тааме | 1
    غزال | Ghazal | Газаль | 1
    الرفاعي | Al-Rifai | ар-Рифаи | 1
    سعود | Saoud | Сауд | 1
    مهنا | Muhanna | Муханна | 1
    حبيب | Habib | Хабиб | 2
    كامل | Kamel | Камель | 2
    شريف | Sharif | Шариф | 2
    عاصي | Assi | Асси | 1
    المحمد | Al-Mohammed | аль-Мухаммед | 2
    زين الدين | Zein al-Din | Зейн ад-Дин | 1
    ورده | Wardeh | Варде | 1
    الشامي | Al-Shami | аш-Шами | 1
    البيك | Al-Bek | аль-Бек | 1
    دلا | Dalla | Далла | 1
    طراف | Tarraf | Тарраф | 1
    عيد | Eid | Ид | 1
    سليم | Salim | Салим | 2
    أسعد | Asaad | Асаад | 1
    برهوم | Barhoum | Бархум | 1
    جرجس | Jarjous | Джарджус | 1
    حرفوش | Harfoush | Харфуш | 1
    الطويل | Al-Tawil | ат-Тавиль | 1
    قاسو | Kasso | Кассо | 1
    فياض | Fayyad | Файяд | 1
    الدبس | Al-Dibs | ад-Дибс | 1
    نقول | Naqoul | Накуль | 1
    ضاهر | Daher | Дахер | 1
    الموسى | Al-Mousa | аль-Муса | 2
    صبح | Sobh | Субх | 1
    زريق | Zreik | Зрейк | 1
    غنوم | Ghannoum | Ганнум | 1
    يعقوب | Yaacoub | Якуб | 1
    كحيلة | Kuhaileh | Кухейле | 1
    الجبلي | Al-Jabali | аль-Джабали | 1
    السيد | Al-Sayed | ас-Сайед | 2
    سرحان | Sarhan | Сархан | 1
    ملحم | Melhem | Мельхем | 1
    """
)
