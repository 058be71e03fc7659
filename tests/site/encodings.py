"""Article pages in legacy encodings, declared only in the HTTP header or only in a <meta> tag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tests.site.pages import article_page


@dataclass(frozen=True)
class EncodedArticle:
    """An article served as bytes in `encoding`; `paragraphs` are what extraction should recover."""

    path: str
    encoding: str
    content_type: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    meta_charset: str | None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    def render(self, *, canonical: str) -> bytes:
        page = article_page(
            title=self.title,
            paragraphs=self.paragraphs,
            canonical=canonical,
            published=self.published,
            site_name="Newsflow Local Gazette",
            charset_meta=None,
        )
        if self.meta_charset is not None:
            meta = f'<meta http-equiv="Content-Type" content="text/html; charset={self.meta_charset}">'
            page = page.replace("<head>\n", f"<head>\n  {meta}\n", 1)
        return page.encode(self.encoding)


LATIN1 = EncodedArticle(
    path="/enc/latin1.html",
    encoding="iso-8859-1",
    content_type="text/html; charset=ISO-8859-1",
    meta_charset=None,
    published=datetime.fromisoformat("2019-11-21T08:30:00+01:00"),
    title="Münchner Café-Kultur: Traditionshäuser kämpfen um ihre Zukunft",
    paragraphs=(
        "München. Wer an einem grauen Novembermorgen das Café Luitpold in der Brienner Straße betritt, spürt "
        "sofort, warum die Münchner ihre Kaffeehäuser so lieben. Zwischen Marmortischen und Kronleuchtern sitzen "
        "Studentinnen mit Laptops neben älteren Herren, die seit Jahrzehnten jeden Tag dieselbe Zeitung lesen. "
        "Doch hinter der gemütlichen Fassade wächst die Sorge um die Zukunft der traditionsreichen Häuser.",
        "Die Gründe sind vielfältig. Steigende Mieten in der Innenstadt, teurere Energie und der Mangel an "
        "Fachkräften setzen den Betreibern spürbar zu. «Früher haben wir uns über volle Terrassen gefreut, heute "
        "rechnen wir jede Woche neu», sagt Renée Großmann, die seit elf Jahren ein kleines Café im "
        "Glockenbachviertel führt. Ihr Personal sei schwer zu halten, weil viele junge Leute lieber in Büros "
        "arbeiteten.",
        "Auch das Publikum hat sich verändert. Während früher der ausgedehnte Frühstückstisch am Sonntag zum "
        "festen Ritual gehörte, greifen viele Gäste heute zum Becher für unterwegs. Ketten mit einheitlichem "
        "Angebot übernehmen frei werdende Flächen, und die Süßspeisen, für die manche Häuser über die "
        "Stadtgrenzen hinaus berühmt waren, verschwinden nach und nach von den Karten.",
        "Die Stadtverwaltung will gegensteuern. Ein neues Förderprogramm soll inhabergeführte Betriebe "
        "unterstützen, die seit mindestens fünfundzwanzig Jahren bestehen. Geplant sind Zuschüsse für "
        "energiesparende Kaffeemaschinen, Beratung bei Mietverhandlungen und eine gemeinsame Werbekampagne. "
        "Kritiker bemängeln allerdings, dass die Mittel zu knapp bemessen seien und zu spät kämen, denn allein "
        "in diesem Jahr hätten bereits sieben Cafés schließen müssen.",
        "Trotzdem gibt es Grund zur Hoffnung. In Schwabing hat ein junges Team ein seit Jahren leerstehendes Café "
        "übernommen und mit Kuchen nach Rezepten der Großmutter, Konzerten am Abend und einer Leseecke neues "
        "Leben hineingebracht. Die Tische sind fast jeden Tag ausgebucht. «Die Menschen suchen Orte, an denen "
        "sie sich begegnen können, ohne auf die Uhr zu schauen», sagt Mitinhaber Jérôme Köhler.",
        "Ob das reicht, um die Münchner Kaffeehauskultur zu bewahren, ist offen. Fest steht, dass die Stadt ohne "
        "ihre Cafés ärmer wäre. Für viele Stammgäste sind sie nicht nur ein Ort für Kaffee und Apfelstrudel, "
        "sondern ein Stück Heimat, in dem man Freunde trifft, Zeitung liest und für eine Stunde dem hektischen "
        "Alltag entflieht. Genau diese Qualität wollen die Betreiber nun gemeinsam verteidigen.",
    ),
)

CP1251 = EncodedArticle(
    path="/enc/cp1251.html",
    encoding="cp1251",
    content_type="text/html",
    meta_charset="windows-1251",
    published=datetime.fromisoformat("2019-11-22T11:00:00+03:00"),
    title="В Казани после реставрации открылась старейшая городская библиотека",
    paragraphs=(
        "В Казани после трёх лет реставрации вновь открылась старейшая публичная библиотека города. Здание "
        "девятнадцатого века на улице Кремлёвской получило новую крышу, отремонтированный фасад и современную "
        "систему отопления, а читальные залы сохранили исторические дубовые стеллажи и лепнину. На церемонии "
        "открытия собрались сотни горожан, многие из которых пришли целыми семьями.",
        "По словам директора библиотеки Анны Сергеевны Волковой, главной задачей реставраторов было сохранить "
        "атмосферу старого здания и одновременно сделать его удобным для современных читателей. «Мы хотели, "
        "чтобы сюда приходили не только студенты и исследователи, но и школьники, пенсионеры, молодые родители "
        "с детьми», — рассказала она журналистам.",
        "В обновлённой библиотеке появились детский зал с мягкой мебелью, зона для работы с ноутбуками, небольшой "
        "лекторий и мастерская по оцифровке редких изданий. Специалисты уже начали переводить в электронный вид "
        "коллекцию дореволюционных газет и книг, часть которых хранилась в подвале в плохих условиях. Первые "
        "отсканированные материалы станут доступны на сайте библиотеки до конца года.",
        "Реставрация обошлась городскому бюджету почти в четыреста миллионов рублей. Часть средств выделили из "
        "республиканской программы поддержки культуры, ещё несколько миллионов собрали жители и местные "
        "предприниматели. Архитекторы признаются, что работа оказалась сложнее, чем ожидалось: под слоями краски "
        "обнаружились старинные росписи, которые пришлось долго и аккуратно расчищать вручную.",
        "Горожане встретили открытие с воодушевлением. Пенсионерка Галина Петровна, которая записалась в "
        "библиотеку ещё в шестидесятых годах, не скрывала слёз. «Здесь я прочитала свои первые серьёзные книги, "
        "здесь познакомилась с мужем. Я боялась, что здание просто снесут, а теперь оно стало ещё красивее», — "
        "сказала она.",
        "Эксперты отмечают, что подобные проекты становятся всё более популярными в российских регионах. "
        "Библиотеки перестают быть только хранилищами книг и превращаются в общественные пространства, где люди "
        "учатся, работают и общаются. Опыт Казани, по их мнению, может пригодиться другим городам, где старинные "
        "здания библиотек также нуждаются в серьёзном ремонте.",
        "В ближайшие месяцы библиотека планирует проводить встречи с писателями, литературные вечера и "
        "бесплатные занятия по компьютерной грамотности для пожилых людей. Вход в читальные залы останется "
        "свободным, а записаться можно будет по паспорту. Руководство надеется, что обновлённое здание снова "
        "станет одним из главных культурных центров Казани.",
    ),
)

ENCODED_ARTICLES: tuple[EncodedArticle, ...] = (LATIN1, CP1251)
