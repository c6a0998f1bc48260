"""The five faults of a statement the room could not sign, on labelled statements (signable.py).

Every statement in GOOD is a fault-free negative for all five checks; each fault also has its own
positives and near misses (negatives that look like the fault but are not).
"""

from __future__ import annotations

import pytest

from consensus_desktop.screening import text_rejection
from consensus_desktop.signable import (
    REASONS,
    faults,
    first_person,
    one_voice,
    platitude,
    repetition,
    self_contradiction,
    without_run_on_tail,
)

CHILDCARE = "Should the government provide free childcare for all children under five?"
CHILDCARE_OPINIONS = (
    "Yes. Childcare costs keep parents, mostly mothers, out of work; free places pay for "
    "themselves through taxes.",
    "I worry about quality. Free places mean overcrowded nurseries and underpaid staff; fund "
    "quality first.",
    "No. Families should choose; give the money to parents as a tax credit and let them decide, "
    "including staying home.",
    "Only for low-income families at first; universal schemes give money to people who do not "
    "need it.",
    "Children do best at home in the early years. I would rather see longer paid parental leave.",
)
CARS = "Should the town centre be closed to private cars on weekends?"
CARS_OPINIONS = (
    "Yes, close it. The air on the high street is filthy and children cannot cross safely.",
    "My shop depends on customers who drive in from the villages; a closure would ruin me.",
    "I could accept it as a trial if parking at the edge of town were free and buses ran often.",
    "Disabled people and carers need to reach the centre by car, so any plan must let them in.",
)
SPEED = "Should the speed limit in residential streets be lowered to 20 mph?"
SPEED_OPINIONS = (
    "Lower limits save lives, especially near schools where kids run into the road.",
    "Slower roads would cost me time and money at work; I drive all day for a living.",
    "Enforcement matters more than the number on the sign; nobody keeps to 30 now.",
)
HOUSING = "How should the city make housing affordable for young people?"
HOUSING_OPINIONS = (
    "Build more social housing on council land instead of selling it to developers.",
    "Rent controls would stop landlords from pricing young workers out of the city.",
    "Empty homes should be taxed heavily until their owners let or sell them.",
)
CONTEXT = {
    CHILDCARE: CHILDCARE_OPINIONS,
    CARS: CARS_OPINIONS,
    SPEED: SPEED_OPINIONS,
    HOUSING: HOUSING_OPINIONS,
}

# Statements a room could sign: none of the five faults.
GOOD = [
    (
        CHILDCARE,
        "We support free childcare for low-income families first, with quality "
        "standards for every nursery.",
    ),
    (
        CHILDCARE,
        "The government should fund free childcare places, but only where nurseries can "
        "keep staff well paid.",
    ),
    (
        CHILDCARE,
        "Parents should be able to choose between a free nursery place and a tax credit "
        "of the same value.",
    ),
    (
        CHILDCARE,
        "Free childcare should start with families on low incomes and widen as quality allows.",
    ),
    (
        CHILDCARE,
        "We want affordable childcare and longer paid parental leave, so families can "
        "decide what suits them.",
    ),
    (
        CHILDCARE,
        "Public money should go to childcare quality before it goes to universal free places.",
    ),
    (
        CHILDCARE,
        "Childcare should be free for children from low-income homes, not for every family.",
    ),
    (
        CARS,
        "The town centre should close to private cars on summer weekends as a trial, with "
        "free parking at the edge of town.",
    ),
    (
        CARS,
        "We support weekend closures if disabled drivers, carers and deliveries can still "
        "reach the centre.",
    ),
    (
        CARS,
        "Close the high street to cars on Saturdays, run extra buses from the villages, and "
        "review the effect on shops after six months.",
    ),
    (
        CARS,
        "The council should not close the centre until shops have been consulted on "
        "delivery times.",
    ),
    (CARS, "Cars should be kept out of the centre on weekends but not on weekdays."),
    (CARS, "We should not ban cars outright, but we should limit them in the centre on weekends."),
    (SPEED, "Residential streets near schools should have a 20 mph limit, enforced with cameras."),
    (SPEED, "We agree to a 20 mph limit on residential streets if the police actually enforce it."),
    (
        SPEED,
        "Lower the limit to 20 mph outside schools and keep 30 mph on main roads through town.",
    ),
    (
        SPEED,
        "A lower limit should come with speed bumps and cameras, because signs alone change "
        "little.",
    ),
    (
        HOUSING,
        "The city should build social housing on council land and tax homes left empty "
        "for more than a year.",
    ),
    (
        HOUSING,
        "Rents for young workers should be capped in new buildings, and empty homes "
        "brought back into use.",
    ),
    (
        HOUSING,
        "Council land should be kept for affordable homes rather than sold to the highest bidder.",
    ),
    (
        HOUSING,
        "We want more homes young people can afford: social housing, rent caps on new "
        "flats and a tax on empty homes.",
    ),
    (
        HOUSING,
        "Raise the council tax on empty homes and spend it on building flats for first "
        "time renters.",
    ),
]


def _faults(question: str, text: str) -> dict[str, bool]:
    return faults(text, question, CONTEXT[question])


@pytest.mark.parametrize(("question", "text"), GOOD)
def test_a_signable_statement_has_no_fault(question: str, text: str) -> None:
    assert not any(_faults(question, text).values()), _faults(question, text)
    assert text_rejection(text, question, CONTEXT[question]) is None


FIRST_PERSON = [
    "My town should close the city centre to private cars on weekends, so people can have a "
    "choice about where they want to live and work.",
    "I support the closure of the city centre to private cars on weekends, and I would accept "
    "it as a trial if it was free parking.",
    "I think the government should fund free childcare for low-income families.",
    "In my view, free childcare is worth the cost.",
    "I'm in favour of a 20 mph limit near schools.",
    "I’d rather see longer paid parental leave than free nursery places.",
    "I've seen how rents push young people out, so rents should be capped.",
    "I'll support the closure if buses run more often.",
    "Free childcare would help me go back to work.",
    "The council should ask me before it closes my street.",
    "Speaking for myself, a lower limit near schools makes sense.",
    "We should lower the limit, and I agree with that.",
    "As a parent I want safer streets near schools.",
    "Social housing should be built, I believe, on council land.",
    "Closing the centre would ruin my shop.",
    "Give me a tax credit and let families decide.",
    "Rent controls, in my opinion, would help young workers.",
    "My children would benefit from free places.",
    "I am against the closure of the high street.",
    "The speed limit is fine as it is, I drive all day.",
    "I can't support free childcare for everyone.",
]
NOT_FIRST_PERSON = [
    "We support free childcare for low-income families.",
    "Our town should close the centre to cars on weekends.",
    "The council should ask residents before closing their streets.",
    "Families should decide for themselves, with a tax credit.",
    "Us parents need childcare we can afford, the group agrees.",
    "Everyone in the room wants safer streets near schools.",
    "Young people should be able to afford to rent in the city.",
    "The coal mine should close, and the land used for homes.",
    "World War I memorials in the centre should stay open to walkers.",
    "Mine workers' families should get free childcare places.",
    "The limit should be lowered to 20 mph near schools.",
    "IT workers and nurses alike need affordable homes in the city.",
    "Shops in the centre need deliveries before ten in the morning.",
    "Residents, shop owners and carers should all be heard.",
    "Immediate action on empty homes should be a priority.",
    "In the end, the trial should be reviewed after six months.",
    "The rent cap should apply to new flats only.",
    "Speed cameras should be placed near every school.",
    "Taxing empty homes would bring them back into use.",
    "Disabled drivers must keep access to the centre.",
]


@pytest.mark.parametrize("text", FIRST_PERSON)
def test_first_person(text: str) -> None:
    assert first_person(text)


@pytest.mark.parametrize("text", NOT_FIRST_PERSON)
def test_not_first_person(text: str) -> None:
    assert not first_person(text)


CONTRADICTIONS = [
    "The council should close the city centre to private cars on summer weekends. The council "
    "should not close the city centre to private cars.",
    "We should close the centre to cars on weekends, and we should keep the centre open to cars "
    "on weekends.",
    "Free childcare should be provided for all children under five. Free childcare should not "
    "be provided for all children.",
    "Yes, the government should pay for childcare. No, families should pay for it themselves.",
    "The speed limit should be lowered to 20 mph, but the speed limit should not be lowered.",
    "We support a rent cap for young workers; we oppose a rent cap for young workers.",
    "Cars should be banned from the centre, and cars should be allowed in the centre.",
    "Taxes on empty homes should be raised. Taxes on empty homes should be cut.",
    "The government must fund free childcare places and must not fund free childcare places.",
    "Social housing should be built on council land, but social housing shouldn't be built on "
    "council land.",
    "We want more social housing in the city and less social housing in the city.",
    "The high street should be open to cars on weekends. The high street should be closed to "
    "cars on weekends.",
    "Speed cameras should be installed near schools. Speed cameras should never be installed "
    "near schools.",
    "Parents should receive a tax credit for childcare. Parents should not receive a tax credit.",
    "The council should increase parking at the edge of town and reduce parking at the edge "
    "of town.",
    "We agree that rents should be capped. Rents cannot be capped.",
    "Yes, lower the limit to 20 mph. No, keep it at 30 mph.",
    "Childcare should be free for everyone. Childcare should not be free for everyone.",
    "Empty homes should be taxed heavily, and empty homes should not be taxed.",
    "We support closing the centre to cars on weekends, while we oppose closing the centre to "
    "cars on weekends.",
    "The city should sell council land to developers. The city should never sell council land "
    "to developers.",
]
NOT_CONTRADICTIONS = [
    "Cars should be kept out of the centre on weekends but not on weekdays.",
    "We should not ban cars outright, but we should limit them in the centre.",
    "Free childcare should go to low-income families, not to every family.",
    "Raise taxes on empty homes, not on the homes people live in.",
    "The council should not close the centre until shops have been consulted.",
    "Lower the limit near schools and keep 30 mph on main roads.",
    "Childcare should be free for children under three but paid for older children.",
    "No, the government should not provide free childcare for everyone; it should help "
    "low-income families.",
    "Yes, the centre should close to cars, with exceptions for disabled drivers.",
    "Rents should be capped in new buildings, but landlords should be allowed a fair return.",
    "Close the high street to cars on Saturdays and open more bus lanes.",
    "We support free places, although quality must come first.",
    "Speed cameras should not replace police patrols, but they should support them.",
    "More social housing and fewer luxury flats should be built on council land.",
    "Build more homes and cut the time planning permission takes.",
    "Parents should not have to choose between work and childcare.",
    "The centre should stay open to buses and bikes while private cars are kept out.",
    "We should never sell council land; it should be used for social housing.",
    "Free childcare is expensive, but it pays for itself through taxes.",
    "A trial closure should be reviewed after six months, not made permanent at once.",
]


@pytest.mark.parametrize("text", CONTRADICTIONS)
def test_self_contradiction(text: str) -> None:
    assert self_contradiction(text)


@pytest.mark.parametrize("text", NOT_CONTRADICTIONS)
def test_not_self_contradiction(text: str) -> None:
    assert not self_contradiction(text)


REPETITIONS = [
    "On the contrary, the proposed solution should be to keep the city centre open all year "
    "round. On the contrary, the proposed solution should be to keep the city centre open all "
    "year round.",
    "We support free childcare. We support free childcare.",
    "The limit should be lowered near schools, the limit should be lowered near schools.",
    "Social housing should be built on council land. Social housing should be built on council "
    "land for young people.",
    "Free childcare for all children under five, free childcare for all children under five.",
    "Cars should be kept out of the centre on weekends and cars should be kept out of the centre "
    "on weekends.",
    "We want safer streets, safer streets, safer streets.",
    "The the the council should act.",
    "Rents should be capped for young workers in the city so that rents should be capped for "
    "young workers in the city.",
    "Empty homes should be taxed. Empty homes should be taxed heavily.",
    "The government should provide childcare; the government should provide childcare.",
    "A trial closure would help shops and residents, and a trial closure would help shops and "
    "residents.",
    "Speed cameras near schools save lives. Speed cameras near schools save lives.",
    "We should fund quality first and fund quality first.",
    "Parents need a choice, and parents need a choice in childcare.",
    "The council should build more homes. The council should build more homes now.",
    "Close the centre to cars on weekends. Close the centre to cars on weekends.",
    "Buses should run more often from the villages, buses should run more often from the villages.",
    "Young people need homes they can afford and young people need homes they can afford.",
    "Lower the limit to 20 mph, lower the limit to 20 mph, near schools.",
    "Nurseries need well paid staff. Nurseries need well paid staff.",
]
NOT_REPETITIONS = [
    "Free childcare for low-income families now, and free childcare for all once quality allows.",
    "Close the centre to cars on Saturdays; open it again on Sundays for the market traders.",
    "We support a 20 mph limit near schools and 30 mph on main roads.",
    "Social housing on council land, rent caps on new flats and taxes on empty homes.",
    "The council should consult shops, then decide on weekend closures.",
    "Parents should choose between a nursery place and a tax credit.",
    "Rents should be capped, and landlords who let empty homes should pay less tax.",
    "Lower limits save lives, and cameras make the limits stick.",
    "Buses should run every ten minutes on weekends when the centre is closed to cars.",
    "Childcare should be free for children under three and cheap for children over three.",
    "Empty homes should be taxed heavily until they are let or sold.",
    "The trial should last six months, and the council should publish what it finds.",
    "We want homes that young people can afford, near where they work.",
    "Speed bumps near schools, cameras on main roads, and patrols at night.",
    "The high street should be closed to cars, with free parking at the edge of town.",
    "Fund quality first: pay staff well and keep groups small.",
    "Disabled drivers and carers should keep access to the centre at all times.",
    "A weekend closure helps the air; a weekday closure would hurt the shops.",
    "Young workers need cheaper rents, and students need more halls of residence.",
    "The limit should be 20 mph in residential streets and enforced by the police.",
]


RUN_ON = [  # (a sample that restates, reverses or personalises itself, the statement it is cut to)
    (
        "We support an increase in UBI. I support it because it is one of the best ideas "
        "available to us.",
        "We support an increase in UBI.",
    ),
    (
        "The centre should close to cars on summer weekends. My shop would lose customers, but "
        "the air matters more.",
        "The centre should close to cars on summer weekends.",
    ),
    (
        "The city should sell council land to developers. The city should never sell council land "
        "to developers.",
        "The city should sell council land to developers.",
    ),
    (
        "The council should close the city centre to private cars on summer weekends. Free buses "
        "should run from the villages. The council should not close the city centre to cars.",
        "The council should close the city centre to private cars on summer weekends. Free buses "
        "should run from the villages.",
    ),
    (
        "The city should invest in a high-quality public education system. All students should "
        "have access to a public education system.",
        "The city should invest in a high-quality public education system.",
    ),
    (
        "We support a minimum wage increase, but also a UBI. We support a UBI but also a minimum "
        "wage increase.",
        "We support a minimum wage increase, but also a UBI.",
    ),
    (
        "It's time to stop the over-fishing of the ocean. To stop the over-fishing of the ocean we "
        "need to stop fishing for tuna.",
        "It's time to stop the over-fishing of the ocean.",
    ),
    (
        "Close the centre to cars on weekends. Run extra buses. Close the centre to cars on "
        "weekends.",
        "Close the centre to cars on weekends. Run extra buses.",
    ),
    (
        "Nurseries need well paid staff. Nurseries need well paid staff.",
        "Nurseries need well paid staff.",
    ),
]
KEPT_WHOLE = [
    *NOT_REPETITIONS[:5],
    "The council should fund childcare. Parents need support to work.",  # two sentences, no repeat
    "We want safer streets, safer streets, safer streets.",  # the repeat is in the first sentence
    "Rents should be capped for young workers in the city so that rents should be capped for "
    "young workers in the city.",
    "Act now. Act now.",  # what is left would be under four words
    "Empty homes should be taxed heavily, and empty homes should not be taxed.",  # one sentence
    "I support a weekend closure. The centre should close to cars.",  # the opening speaks as one
]


@pytest.mark.parametrize(("text", "cut"), RUN_ON)
def test_a_run_on_statement_is_cut_before_it_repeats_or_reverses_itself(
    text: str, cut: str
) -> None:
    assert repetition(text) or self_contradiction(text) or first_person(text)
    assert without_run_on_tail(text) == cut
    assert not (repetition(cut) or self_contradiction(cut) or first_person(cut))


@pytest.mark.parametrize("text", ["", " ", ".", "  .  ", "Yes. ", "\n"])
def test_empty_and_blank_samples_are_read_without_error_and_left_as_they_are(text: str) -> None:
    """What cleaning leaves of a sample with no complete sentence ('') reaches the cut too; it
    recommends nothing (a platitude) and has no other fault."""
    found = faults(text, CARS, CARS_OPINIONS)
    assert found["platitude"] and not any(v for fault, v in found.items() if fault != "platitude")
    assert without_run_on_tail(text) == text


@pytest.mark.parametrize("text", KEPT_WHOLE)
def test_other_statements_are_left_whole(text: str) -> None:
    assert without_run_on_tail(text) == text


@pytest.mark.parametrize("text", REPETITIONS)
def test_repetition(text: str) -> None:
    assert repetition(text)


@pytest.mark.parametrize("text", NOT_REPETITIONS)
def test_not_repetition(text: str) -> None:
    assert not repetition(text)


ONE_VOICE = [
    (
        CHILDCARE,
        "Childcare costs keep parents, mostly mothers, out of work, so free places pay "
        "for themselves through taxes.",
    ),
    (
        CHILDCARE,
        "Free places mean overcrowded nurseries and underpaid staff, so we should fund "
        "quality first.",
    ),
    (
        CHILDCARE,
        "Families should choose: give the money to parents as a tax credit and let them "
        "decide, including staying home.",
    ),
    (
        CHILDCARE,
        "Only for low-income families at first, because universal schemes give money to "
        "people who do not need it.",
    ),
    (
        CHILDCARE,
        "Children do best at home in the early years, so we want longer paid parental leave.",
    ),
    (CHILDCARE, "We worry about overcrowded nurseries and underpaid staff."),
    (
        CHILDCARE,
        "Free places pay for themselves through taxes because childcare costs keep "
        "mothers out of work.",
    ),
    (CARS, "The air on the high street is filthy and children cannot cross safely, so close it."),
    (CARS, "Shops depend on customers who drive in from the villages; a closure would ruin them."),
    (CARS, "We accept it as a trial if parking at the edge of town is free and buses run often."),
    (
        CARS,
        "Disabled people and carers need to reach the centre by car, so any plan must let them in.",
    ),
    (CARS, "Customers drive in from the villages, and shops depend on customers who drive."),
    (SPEED, "Lower limits save lives, especially near schools where kids run into the road."),
    (
        SPEED,
        "Slower roads would cost time and money at work for those who drive all day for a living.",
    ),
    (SPEED, "Enforcement matters more than the number on the sign, since nobody keeps to 30 now."),
    (SPEED, "Kids run into the road near schools, and lower limits save lives."),
    (HOUSING, "Build more social housing on council land instead of selling it to developers."),
    (HOUSING, "Rent controls would stop landlords from pricing young workers out of the city."),
    (HOUSING, "Empty homes should be taxed heavily until their owners let or sell them."),
    (HOUSING, "Social housing on council land, instead of selling council land to developers."),
    (HOUSING, "Landlords pricing young workers out should face rent controls."),
]
NOT_ONE_VOICE = [
    # two or more participants' points, in the statement's own words
    (
        CHILDCARE,
        "Free places should come first for low-income families, with money for "
        "nursery staff so quality does not suffer.",
    ),
    (CHILDCARE, "Parents should choose between a nursery place and longer paid leave."),
    (
        CHILDCARE,
        "Free childcare helps mothers back into work, but overcrowded nurseries help nobody.",
    ),
    (
        CHILDCARE,
        "A tax credit for parents and better pay for nursery staff would serve most families.",
    ),
    (
        CARS,
        "Close the centre on summer weekends as a trial, with free parking outside town and "
        "access for disabled drivers.",
    ),
    (
        CARS,
        "Cleaner air and safer crossings matter, and so do the shops that need customers "
        "from the villages.",
    ),
    (
        CARS,
        "The town centre should be closed to private cars on weekends, with exceptions for carers.",
    ),
    (CARS, "A weekend trial with frequent buses and a review of shop takings after six months."),
    (
        SPEED,
        "A 20 mph limit in residential streets, enforced by cameras, with 30 mph kept on "
        "main roads for people who drive for work.",
    ),
    (SPEED, "Safer streets near schools need both a lower limit and real enforcement."),
    (SPEED, "The speed limit in residential streets should be lowered to 20 mph near schools."),
    (
        SPEED,
        "Drivers who work on the road should keep faster main roads, while schools get "
        "slower streets.",
    ),
    (
        HOUSING,
        "Council land should go to social housing, and empty homes should be taxed until "
        "they are let.",
    ),
    (HOUSING, "The city should cap rents for young workers and build on its own land."),
    (HOUSING, "Affordable housing for young people needs more homes and fairer rents."),
    (HOUSING, "New homes on public land, rent caps and an empty-homes tax together."),
    (
        CHILDCARE,
        "The government should provide free childcare for children under five from poorer homes.",
    ),
    (CARS, "Shops, carers and parents all need a plan that keeps the centre reachable."),
    (SPEED, "Cameras and speed bumps near schools, and a review after a year."),
    (HOUSING, "Young people should be able to rent in the city they work in."),
]


@pytest.mark.parametrize(("question", "text"), ONE_VOICE)
def test_one_voice(question: str, text: str) -> None:
    assert one_voice(text, question, CONTEXT[question])


@pytest.mark.parametrize(("question", "text"), NOT_ONE_VOICE)
def test_not_one_voice(question: str, text: str) -> None:
    assert not one_voice(text, question, CONTEXT[question])


PLATITUDES = [
    "All residents in the centre must be treated equally.",
    "Everyone deserves to be heard on this important issue.",
    "We must find a balance between the needs of everyone.",
    "We should work together for the good of the community.",
    "This is a complex issue with no easy answers.",
    "Childcare is an important issue for families.",
    "Everyone's views should be taken into account.",
    "The council should listen to all sides.",
    "We need more discussion before anything is decided.",
    "Children are our future.",
    "The town centre belongs to everyone.",
    "There are pros and cons on both sides.",
    "We should find a solution that works for everyone.",
    "Housing is a serious issue for young people.",
    "Everyone should be treated fairly.",
    "People should respect each other's views on the roads.",
    "We should do what is best for everyone.",
    "The decision should be in the best interests of the community.",
    "We all want what is right.",
    "Safety is important.",
    "It is important that we listen to each other and find common ground.",
]
NOT_PLATITUDES = [
    "Everyone deserves affordable childcare, so the government should fund free places for "
    "low-income families.",
    "We must find a balance: free places for low-income families and a tax credit for the rest.",
    "Working together with local nurseries, the council should open free places for under-threes.",
    "Close the high street to cars on Saturdays and run buses every ten minutes.",
    "Parents should get a tax credit, with respect for every family's choice.",
    "A 20 mph limit near schools, enforced by cameras.",
    "Tax empty homes and build on council land.",
    "Free childcare for low-income families first.",
    "The centre should close to private cars on summer weekends.",
    "Rents in new buildings should be capped for five years.",
    "Disabled drivers must keep access to the centre, whatever is decided.",
    "We support a weekend trial with free parking at the edge of town.",
    "Taking shops' deliveries into account, the closure should start at ten in the morning.",
    "Speed bumps should be built on every street near a school.",
    "Childcare staff should be paid at least the living wage.",
    "No new parking spaces should be built in the centre.",
    "Young people should get priority for new council flats.",
    "The limit should stay at 30 mph on main roads.",
    "Nursery places should be free from the age of two.",
    "Empty homes should be taxed at double the council tax rate.",
]


@pytest.mark.parametrize("text", PLATITUDES)
def test_platitude(text: str) -> None:
    assert platitude(text)


@pytest.mark.parametrize("text", NOT_PLATITUDES)
def test_not_platitude(text: str) -> None:
    assert not platitude(text)


def test_the_gate_gives_each_fault_its_reason() -> None:
    cases = {
        "first_person": FIRST_PERSON[0],
        "self_contradiction": CONTRADICTIONS[0],
        "repetition": REPETITIONS[0],
        "one_voice": ONE_VOICE[1][1],
        "platitude": PLATITUDES[0],
    }
    for fault, text in cases.items():
        question = CHILDCARE if fault == "one_voice" else CARS
        assert text_rejection(text, question, CONTEXT[question]) == REASONS[fault], fault
