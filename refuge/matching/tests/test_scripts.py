from refuge.matching.scripts import Script, detect_script


def test_arabic_name_is_detected_as_arabic():
    assert detect_script("محمد علي حسن") is Script.ARABIC


def test_french_latin_name_is_detected_as_latin():
    assert detect_script("Mohamed Ali Hassan") is Script.LATIN


def test_scholarly_marks_count_as_latin():
    assert detect_script("ʿAlī Ḥasan") is Script.LATIN


def test_russian_name_is_detected_as_cyrillic():
    assert detect_script("Мухаммед Али Хасан") is Script.CYRILLIC


def test_digits_only_have_no_script():
    assert detect_script("1983") is Script.UNKNOWN
