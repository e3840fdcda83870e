"""The reports pages' words, Ukrainian first."""
from __future__ import annotations

from shared.i18n import MESSAGES

MESSAGES.update({
    "catalog.wish_kinds": {"uk": "Оберіть до {limit} видів книжок зі списку.",
                           "en": "Choose up to {limit} kinds of books from the list."},
    "catalog.bad_month": {"uk": "Місяць має бути у вигляді РРРР-ММ.", "en": "The month must look like YYYY-MM."},
})

STAGES = {
    "offered": ("пропозиція прийнята", "offer received"),
    "pickup_scheduled": ("приїзд призначено", "pickup scheduled"),
    "pickup_rescheduled": ("приїзд перенесено", "pickup rescheduled"),
    "pickup_failed": ("не вдалося забрати", "pickup failed"),
    "collected": ("книжки забрали", "books collected"),
    "catalogued": ("описані в хабі", "catalogued"),
    "on_shelves": ("на полицях", "on shelves"),
    "taken": ("читач узяв", "taken by a reader"),
    "noted": ("відгук читача", "a reader's note"),
    "cancelled": ("скасовано", "cancelled"),
    "tracking": ("сторінка відстеження", "tracking page"),
}
LEAD_STAGES = {
    "scheduled": ("пропозиція → приїзд призначено", "offer → pickup scheduled"),
    "collected": ("пропозиція → забрали", "offer → collected"),
    "catalogued": ("пропозиція → описані", "offer → catalogued"),
    "shelved": ("пропозиція → на полиці", "offer → on a shelf"),
}
CHANNELS = {"email": ("e-mail", "e-mail"), "sms": ("SMS", "SMS"), "telegram": ("Telegram", "Telegram")}
OBLASTS_EN = {
    "Вінницька": ("Вінницька", "Vinnytsia"), "Волинська": ("Волинська", "Volyn"),
    "Дніпропетровська": ("Дніпропетровська", "Dnipropetrovsk"), "Донецька": ("Донецька", "Donetsk"),
    "Житомирська": ("Житомирська", "Zhytomyr"), "Закарпатська": ("Закарпатська", "Zakarpattia"),
    "Запорізька": ("Запорізька", "Zaporizhzhia"), "Івано-Франківська": ("Івано-Франківська", "Ivano-Frankivsk"),
    "Київська": ("Київська", "Kyiv oblast"), "м. Київ": ("м. Київ", "Kyiv city"),
    "Кіровоградська": ("Кіровоградська", "Kirovohrad"), "Луганська": ("Луганська", "Luhansk"),
    "Львівська": ("Львівська", "Lviv"), "Миколаївська": ("Миколаївська", "Mykolaiv"),
    "Одеська": ("Одеська", "Odesa"), "Полтавська": ("Полтавська", "Poltava"), "Рівненська": ("Рівненська", "Rivne"),
    "Сумська": ("Сумська", "Sumy"), "Тернопільська": ("Тернопільська", "Ternopil"),
    "Харківська": ("Харківська", "Kharkiv"), "Херсонська": ("Херсонська", "Kherson"),
    "Хмельницька": ("Хмельницька", "Khmelnytskyi"), "Черкаська": ("Черкаська", "Cherkasy"),
    "Чернівецька": ("Чернівецька", "Chernivtsi"), "Чернігівська": ("Чернігівська", "Chernihiv"),
    "АР Крим": ("АР Крим", "Crimea"), "м. Севастополь": ("м. Севастополь", "Sevastopol"),
}

PAGE = {
    "dashboard_title": ("Як працює мережа", "How the network is doing"),
    "generated": ("Станом на", "As of"),
    "numbers": ("Цифри", "The numbers"),
    # informed
    "informed": ("Скільком людям ми розповіли", "People informed"),
    "chart_told": ("Донорам розповіли: етап і канал", "Donors told, by stage and channel"),
    "stage": ("Етап", "Stage"),
    "total": ("Разом", "Total"),
    "delivery": ("Доставка повідомлень", "Message delivery"),
    "chart_delivery": ("Надіслано й не доставлено, за каналом", "Sent and failed, by channel"),
    "channel": ("Канал", "Channel"),
    "sent": ("надіслано", "sent"),
    "failed": ("не доставлено", "failed"),
    "rate": ("частка доставлених", "delivery rate"),
    "notices": ("Чи дійшла звістка", "Did the news reach them"),
    "direct": ("першим каналом", "on the first channel"),
    "fell_back": ("іншим каналом, коли перший підвів", "on another channel after the first failed"),
    "not_reached": ("не дійшла", "not reached"),
    "unsubscribed": ("Відписалися", "Unsubscribed"),
    "donors": ("донорів", "donors"),
    # response
    "response": ("Як швидко ми відповідаємо", "Response time"),
    "month": ("Місяць", "Month"),
    "show": ("Показати", "Show"),
    "oblast": ("Область", "Oblast"),
    "donations": ("Пожертв", "Donations"),
    "failed_pickups": ("Невдалих приїздів", "Failed pickups"),
    "median": ("медіана", "median"),
    "p90": ("90-й процентиль", "90th percentile"),
    "reached": ("дійшли", "reached"),
    "network": ("Уся мережа", "Whole network"),
    "chart_lead_trend": ("Медіана, днів, за місяцем пропозиції", "Median, days, by month of the offer"),
    "trend": ("За місяцями", "By month"),
    "waiting": ("Чекають найдовше", "Waiting longest"),
    "offered_at": ("Запропоновано", "Offered"),
    "now_at": ("Зараз", "Now"),
    "days": ("днів", "days"),
    "open": ("Відкрити", "Open"),
    "lead_offered": ("чекає на приїзд", "waiting for a pickup"),
    "lead_scheduled": ("приїзд призначено", "pickup scheduled"),
    "lead_collected": ("їде до хабу / в хабі", "on its way to / at the hub"),
    "lead_catalogued": ("описані, ще не на полиці", "catalogued, not on a shelf yet"),
    "nothing_waits": ("Ніхто не чекає.", "Nobody is waiting."),
    # feedback
    "feedback": ("Відгуки", "Feedback"),
    "chart_feedback": ("Частка «так, корисно», % за тиждень", "Share of 'yes, useful', % per week"),
    "week": ("Тиждень з", "Week of"),
    "yes": ("так", "yes"),
    "no": ("ні", "no"),
    "share_positive": ("частка «так»", "share of yes"),
    "from_messages": ("з листів", "from messages"),
    "from_tracking": ("зі сторінки відстеження", "from the tracking page"),
    "reader_likes": ("«Мені сподобалася» від читачів", "readers' 'I liked this'"),
    "comments": ("Останні коментарі донорів", "Donors' latest comments"),
    "reader_notes": ("Останні відгуки читачів", "Readers' latest notes"),
    "none_yet": ("Поки нічого.", "Nothing yet."),
    # equity
    "equity": ("Рівний доступ до книжок", "Equity"),
    "chart_per_1000": ("Книжок на полицях на 1000 відвідувачів на рік", "Books on shelves per 1,000 yearly visitors"),
    "per_1000": ("на 1000 відвідувачів", "per 1,000 visitors"),
    "per_1000_unit": ("книжок на 1000 відвідувачів", "books per 1,000 visitors"),
    "map_title": ("Книжок на полицях на 1000 відвідувачів, за областю",
                  "Books on shelves per 1,000 visitors, by oblast"),
    "map_link": ("Мапа областей окремо", "The map on its own"),
    "no_data": ("немає даних", "no data"),
    "centres": ("Центрів", "Centres"),
    "with_shelf": ("з полицею", "with a shelf"),
    "on_shelf": ("На полицях", "On shelves"),
    "taken": ("взяли читачі", "taken by readers"),
    "shelved": ("поставили на полицю", "put on a shelf"),
    "visitors": ("Відвідувачів на рік", "Visitors a year"),
    "low_stock": ("Полиці, де книжок немає або мало", "Shelves with no or few books"),
    "level_none": ("порожня", "empty"),
    "level_few": ("мало", "few"),
    "capacity": ("Місткість", "Capacity"),
    "centre": ("Центр", "Centre"),
    "chart_months": ("Щомісяця: поставили на полиці й узяли читачі", "Each month: put on shelves and taken by readers"),
    "unknown": ("невідомо", "unknown"),
    # needs
    "needs_title": ("Де потрібні книжки", "Where books are needed"),
    "needs_intro": ("Книжки розподіляємо так, щоб їх вистачало всюди: центр, де на одного відвідувача "
                    "припадає найменше книжок, отримує наступну. Пріоритетні області (Схід, деокуповані "
                    "громади) важать більше. Нижче — центри з полицями, від найбільшої потреби.",
                    "We share books out so that there are enough everywhere: the centre with the fewest books "
                    "per visitor gets the next one. Priority oblasts (the East, de-occupied communities) weigh "
                    "more. Below are the centres with shelves, greatest need first."),
    "need": ("Потреба", "Need"),
    "need_high": ("велика", "high"),
    "need_medium": ("середня", "medium"),
    "need_low": ("невелика", "low"),
    "need_full": ("полиця повна", "the shelf is full"),
    "priority": ("пріоритетна область", "priority oblast"),
    "books_now": ("книжок зараз (разом із тими, що в дорозі)", "books now (with those on the way)"),
    "free_places": ("вільних місць", "free places"),
    "wanted": ("Тут просять", "Asked for here"),
    "no_wishes": ("будь-які добрі книжки", "any good books"),
    "offer_books": ("Запропонувати книжки", "Offer books"),
    "need_explained": ("Потреба = вага області × відвідувачі на рік ÷ (книжки в центрі + 1), у порівнянні "
                       "з центром, якому книжки потрібні найбільше.",
                       "Need = the oblast's weight × visitors a year ÷ (books at the centre + 1), compared "
                       "with the centre that needs books most."),
    "wishes_title": ("Які книжки просять області", "What kinds of books oblasts ask for"),
    "save": ("Зберегти", "Save"),
    "saved": ("Збережено:", "Saved:"),
    # likes, open data
    "like": ("Мені сподобалася ця книжка", "I liked this book"),
    "liked": ("Дякуємо! Ми передамо це донору й команді.", "Thank you! We will pass it on to the donor and the team."),
    "home_reports": ("Як працює мережа: звіти", "How the network is doing: reports"),
    "too_many": ("Забагато натискань. Спробуйте пізніше.", "Too many clicks. Please try later."),
    "open_data_title": ("Відкриті дані", "Open data"),
    "open_data_intro": ("Зведені цифри мережі, без жодних персональних даних: за центром і місяцем (за київським "
                        "часом) і за центром зараз. Ліцензія CC BY 4.0.",
                        "The network's aggregated figures, with no personal data at all: per centre and month "
                        "(Kyiv time) and per centre now. Licence CC BY 4.0."),
    "fields": ("Поля", "Fields"),
}
